"""Where a report is, exact or coarsened. Who gets which is decided in one place,
`aduan.workflow.selectors.location_for`; maps and every output call that, not this directly."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aduan.directory.models import Region
    from aduan.intake.models import Report

# 0.005° is ~555 m of latitude, and of longitude near the equator (~550 m at Ponorogo, 7.9° S).
GRID_DEGREES = 0.005


@dataclass(frozen=True)
class Location:
    kecamatan: Region | None
    desa: Region | None
    address: str
    latitude: float | None
    longitude: float | None
    exact: bool

    @property
    def region(self) -> Region | None:
        return self.desa or self.kecamatan

    @property
    def label(self) -> str:
        """ "Desa, Kecamatan" and, when exact, the address: for pages and Open311's address."""
        parts = [self.address] if self.address else []
        parts += [r.name.title() for r in (self.desa, self.kecamatan) if r is not None]
        return ", ".join(parts)

    def map_point(self, *, title: str, url: str, note: str | None = None) -> dict[str, Any]:
        """This place as one point of a map (static/aduan/map.js); `note` is its label unless given."""
        return {
            "lat": self.latitude,
            "lng": self.longitude,
            "exact": self.exact,
            "title": title,
            "url": url,
            "note": self.label if note is None else note,
        }


def grid_centre(value: float | Decimal) -> float:
    """The centre of the GRID_DEGREES cell a coordinate falls in: the same for every point of it."""
    cell = math.floor(float(value) / GRID_DEGREES)
    return round((cell + 0.5) * GRID_DEGREES, 4)


def report_location(report: Report, *, exact: bool, public: bool = False) -> Location:
    """The report's place: as written, or coarsened to its desa and grid cell without the address.
    For the `public`, an exact address has the personal data in it masked (Report.public_address,
    derived at verification)."""
    lat, lon = report.latitude, report.longitude
    if exact:
        address = report.address
        if public and address:
            address = report.public_address or report.masked_address()
        return Location(
            kecamatan=report.kecamatan,
            desa=report.desa,
            address=address,
            latitude=float(lat) if lat is not None else None,
            longitude=float(lon) if lon is not None else None,
            exact=True,
        )
    return Location(
        kecamatan=report.kecamatan,
        desa=report.desa,
        address="",
        latitude=grid_centre(lat) if lat is not None else None,
        longitude=grid_centre(lon) if lon is not None else None,
        exact=False,
    )
