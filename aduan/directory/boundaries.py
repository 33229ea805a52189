"""Desa and kecamatan polygons: imported all or nothing, then used to place a point in its desa.

A kabupaten's GIS office hands over a GeoJSON FeatureCollection with one feature per desa (or
kecamatan), its Kemendagri code in the properties. Every feature is checked before anything is
written: an unknown code, a region outside this installation or a broken polygon (self-crossing,
unclosed, empty) is named with its feature number and code, and nothing is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import shapely
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from aduan.core.errors import InvalidInput
from aduan.core.http import parse_json
from aduan.directory.models import Boundary, Region

# Property names a GIS export uses for the Kemendagri code, in the order they are tried.
CODE_KEYS = ("kode", "code", "kode_wilayah", "kode_desa", "kode_kec", "KODE", "KDEPUM", "kdepum")
_UNDOTTED = re.compile(r"[0-9]{6}(?:[0-9]{4})?")
MAX_ERRORS = 20


@dataclass(frozen=True)
class BoundaryImport:
    kecamatan: int
    desa: int


def _code(properties: dict[str, Any]) -> str:
    for key in CODE_KEYS:
        value = properties.get(key)
        if value not in (None, ""):
            code = str(value).strip()
            if _UNDOTTED.fullmatch(code):  # 3502172001 → 35.02.17.2001
                parts = [code[0:2], code[2:4], code[4:6]] + ([code[6:]] if len(code) > 6 else [])
                code = ".".join(parts)
            return code
    return ""


def boundaries_parse(raw: bytes | str) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection, or InvalidInput saying why not."""
    try:
        data = parse_json(raw)
    except ValueError as error:
        raise InvalidInput(
            _("Berkas bukan GeoJSON yang valid: %(error)s") % {"error": error}, code="boundaries_not_json"
        ) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise InvalidInput(
            _("Berkas harus GeoJSON FeatureCollection dengan sedikitnya satu fitur."),
            code="boundaries_no_features",
        )
    return features


def boundaries_import(features: list[dict[str, Any]]) -> BoundaryImport:
    """Check every feature, then replace the boundaries of the regions they name in one transaction."""
    home = str(settings.ADUAN_HOME_REGION)
    codes = [_code(f.get("properties") or {}) if isinstance(f, dict) else "" for f in features]
    known = Region.objects.in_bulk([c for c in codes if c], field_name="code")  # one query for the whole file
    errors: list[str] = []
    rows: dict[str, Boundary] = {}
    for number, (feature, code) in enumerate(zip(features, codes, strict=True), start=1):
        where = _("fitur ke-%(n)s (kode %(code)s)") % {"n": number, "code": code or "?"}
        region = known.get(code)
        if region is None or region.level < Region.Level.KECAMATAN or not code.startswith(home + "."):
            errors.append(
                _("%(where)s: kode wilayah tidak dikenal di %(home)s.") % {"where": where, "home": home}
            )
            continue
        if code in rows:
            errors.append(_("%(where)s: wilayah ini muncul dua kali.") % {"where": where})
            continue
        problem, geometry = _geometry(feature.get("geometry"))
        if problem:
            errors.append(f"{where}: {problem}")
            continue
        west, south, east, north = geometry.bounds
        rows[code] = Boundary(
            region=region,
            geometry=shapely.geometry.mapping(geometry),
            south=south,
            west=west,
            north=north,
            east=east,
        )
    if errors:
        shown = errors[:MAX_ERRORS]
        more = len(errors) - len(shown)
        message = _("Batas wilayah tidak diimpor (tidak ada yang disimpan):") + "\n" + "\n".join(shown)
        if more:
            message += "\n" + _("… dan %(n)s kesalahan lain.") % {"n": more}
        raise InvalidInput(message, code="boundaries_invalid")
    with transaction.atomic():
        Boundary.objects.filter(region_id__in=list(rows)).delete()
        Boundary.objects.bulk_create(rows.values())
    levels = [row.region.level for row in rows.values()]
    return BoundaryImport(
        kecamatan=levels.count(Region.Level.KECAMATAN), desa=levels.count(Region.Level.DESA)
    )


def _geometry(raw: Any) -> tuple[str, Any]:
    """(problem, geometry): the shapely polygon of a GeoJSON geometry, or why it cannot be used."""
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        return _("geometri harus Polygon atau MultiPolygon."), None
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.ShapelyError) as error:
        return _("geometri rusak (%(error)s).") % {"error": error}, None
    if geometry.is_empty:
        return _("geometri kosong."), None
    if not geometry.is_valid:
        return _("geometri rusak (%(error)s).") % {"error": explain_validity(geometry)}, None
    west, south, east, north = geometry.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return _("koordinat di luar bujur/lintang (harus WGS84, bujur lalu lintang)."), None
    return "", geometry
