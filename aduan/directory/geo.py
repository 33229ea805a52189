"""Where a point lies: inside this installation's kabupaten or not (a pin on the report form, an
app's coordinates, Open311's lat/long)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.templatetags.static import static

from aduan.directory.models import Boundary, Region


def _containing(latitude: float, longitude: float) -> list[Boundary]:
    """The boundaries whose polygon holds the point (their boxes narrow it down in the database)."""
    candidates = list(
        Boundary.objects.filter(
            south__lte=latitude, north__gte=latitude, west__lte=longitude, east__gte=longitude
        ).select_related("region")
    )
    if not candidates:
        return []
    # Imported here: shapely (with numpy, ~20 MB per process) is only needed once an installation
    # has loaded boundaries; every uWSGI worker imports this module at start-up through intake.
    from shapely.geometry import Point, shape

    point = Point(longitude, latitude)
    return [b for b in candidates if shape(b.geometry).covers(point)]


def locate(latitude: float | Decimal, longitude: float | Decimal) -> tuple[bool, Region | None]:
    """Whether a point lies in the kabupaten (in its box, ADUAN_MAP_BOUNDS, and, once boundaries
    are imported, in one of them) and the desa (else kecamatan) it lies in: one pass over the
    candidate polygons."""
    lat, lon = float(latitude), float(longitude)
    south, west, north, east = settings.ADUAN_MAP_BOUNDS
    if not (south <= lat <= north and west <= lon <= east):
        return False, None
    found = _containing(lat, lon)
    return bool(found) or not Boundary.objects.exists(), _region_in(found)


def _region_in(found: list[Boundary]) -> Region | None:
    for level in (Region.Level.DESA, Region.Level.KECAMATAN):
        for boundary in found:
            if boundary.region.level == level:
                return boundary.region
    return None


def pin_inside(latitude: float | Decimal, longitude: float | Decimal) -> bool:
    """Whether a point lies in the kabupaten (see locate)."""
    return locate(latitude, longitude)[0]


def region_at(latitude: float | Decimal, longitude: float | Decimal) -> Region | None:
    """The desa (or, where only kecamatan are imported, the kecamatan) a point lies in; None
    without boundaries or outside them."""
    return _region_in(_containing(float(latitude), float(longitude)))


def home_area_name() -> str:
    """The kabupaten's name as people write it ("Kabupaten Ponorogo"), for messages."""
    home = Region.objects.filter(code=settings.ADUAN_HOME_REGION).first()
    return home.name.title() if home is not None else str(settings.ADUAN_HOME_REGION)


def map_config() -> dict[str, object]:
    """What every map page needs (as a json_script element): tile URL, attribution, the kabupaten's box."""
    return {
        "leaflet_js": static("aduan/vendor/leaflet/leaflet.js"),
        "leaflet_css": static("aduan/vendor/leaflet/leaflet.css"),
        "tiles": settings.ADUAN_MAP_TILE_URL,
        "attribution": settings.ADUAN_MAP_ATTRIBUTION,
        "bounds": list(settings.ADUAN_MAP_BOUNDS),
    }
