"""Boundaries: `aduan import_boundaries` loads desa/kecamatan polygons all or nothing; then a pin
resolves to its desa (on the form's endpoint and at intake) and a pin outside them is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from aduan.directory.geo import region_at
from aduan.directory.models import Boundary, Region
from tests.factories import submit

pytestmark = pytest.mark.django_db

KECAMATAN = "35.02.17"  # Ponorogo


def square(lat: float, lon: float, half: float = 0.005) -> dict[str, Any]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def feature(code: str, geometry: dict[str, Any], key: str = "kode") -> dict[str, Any]:
    return {"type": "Feature", "properties": {key: code, "nama": "x"}, "geometry": geometry}


def desa_codes() -> list[str]:
    return list(
        Region.objects.filter(parent_id=KECAMATAN).order_by("code").values_list("code", flat=True)[:2]
    )


def write(tmp_path: Path, features: list[dict[str, Any]]) -> Path:
    path = tmp_path / "batas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def boundaries(tmp_path: Path) -> list[str]:
    """Two desa of Kecamatan Ponorogo side by side, and the kecamatan around them."""
    first, second = desa_codes()
    path = write(
        tmp_path,
        [
            feature(KECAMATAN, square(-7.870, 111.465, 0.02)),
            feature(first, square(-7.870, 111.460)),
            # An undotted code under another property name, as some GIS exports write it.
            feature(second.replace(".", ""), square(-7.870, 111.470), key="KDEPUM"),
        ],
    )
    call_command("import_boundaries", str(path))
    return [first, second]


def test_a_point_resolves_to_its_desa(boundaries: list[str]) -> None:
    first, second = boundaries
    assert Boundary.objects.count() == 3
    assert region_at(-7.870, 111.459).code == first  # type: ignore[union-attr]
    assert region_at(-7.869, 111.471).code == second  # type: ignore[union-attr]
    assert region_at(-7.880, 111.450).code == KECAMATAN  # type: ignore[union-attr]  # no desa there
    assert region_at(-7.95, 111.60) is None


def test_the_form_endpoint_fills_kecamatan_and_desa_from_a_pin(boundaries: list[str]) -> None:
    found = Client().get("/lapor/wilayah-titik/", {"lat": "-7.870", "lon": "111.459"}).json()
    assert found["kecamatan"] == KECAMATAN and found["desa"] == boundaries[0] and found["label"]
    outside = Client().get("/lapor/wilayah-titik/", {"lat": "-7.95", "lon": "111.60"})
    assert outside.status_code == 400 and "di luar wilayah" in outside.json()["title"]
    assert Client().get("/lapor/wilayah-titik/", {"lat": "utara", "lon": "1"}).status_code == 400
    assert Client().get("/lapor/wilayah-titik/", {"lat": "nan", "lon": "nan"}).status_code == 400


def test_intake_places_a_pin_in_its_desa_when_none_was_chosen(boundaries: list[str]) -> None:
    report = submit(region=KECAMATAN, latitude="-7.869", longitude="111.471").report
    assert report.desa_id == boundaries[1] and report.kecamatan_id == KECAMATAN
    chosen = submit(region=boundaries[0], latitude="-7.869", longitude="111.471").report
    assert chosen.desa_id == boundaries[0]  # the citizen's own choice stands
    from aduan.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:  # inside the box, outside every boundary
        submit(region=KECAMATAN, latitude="-7.95", longitude="111.60")
    assert refused.value.code == "location_outside_installation"


def test_without_boundaries_everything_works_by_the_pickers() -> None:
    assert region_at(-7.870, 111.459) is None
    report = submit(region=KECAMATAN, latitude="-7.870", longitude="111.459").report
    assert report.desa_id is None and report.kecamatan_id == KECAMATAN
    assert Client().get("/lapor/wilayah-titik/", {"lat": "-7.870", "lon": "111.459"}).json() == {
        "kecamatan": None,
        "desa": None,
        "label": "",
    }


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (
            feature("35.02.17.9999", square(-7.87, 111.46)),
            "fitur ke-2 (kode 35.02.17.9999): kode wilayah tidak dikenal",
        ),
        (
            feature("35.01.01", square(-7.87, 111.46)),
            "fitur ke-2 (kode 35.01.01): kode wilayah tidak dikenal",
        ),
        (
            # A bow-tie: the ring crosses itself.
            feature(
                "DESA",
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[111.46, -7.87], [111.47, -7.86], [111.47, -7.87], [111.46, -7.86], [111.46, -7.87]]
                    ],
                },
            ),
            "fitur ke-2 (kode DESA): geometri rusak (Self-intersection",
        ),
        (
            feature("DESA", {"type": "Polygon", "coordinates": [[[111.46, -7.87]]]}),
            "fitur ke-2 (kode DESA): geometri rusak",
        ),
        (
            feature("DESA", {"type": "Point", "coordinates": [111.46, -7.87]}),
            "geometri harus Polygon atau MultiPolygon",
        ),
    ],
)
def test_a_bad_feature_is_named_and_nothing_is_imported(
    tmp_path: Path, bad: dict[str, Any], said: str
) -> None:
    first, second = desa_codes()
    if bad["properties"]["kode"] == "DESA":
        bad["properties"]["kode"] = second
        said = said.replace("DESA", second)
    path = write(tmp_path, [feature(first, square(-7.87, 111.46)), bad])
    with pytest.raises(CommandError) as refused:
        call_command("import_boundaries", str(path))
    assert said in str(refused.value) and "tidak ada yang disimpan" in str(refused.value)
    assert not Boundary.objects.exists()


def test_a_file_that_is_not_geojson_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rusak.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(CommandError, match="bukan GeoJSON yang valid"):
        call_command("import_boundaries", str(path))
    with pytest.raises(CommandError, match="tidak dapat dibaca"):
        call_command("import_boundaries", str(tmp_path / "tidak-ada.geojson"))
    assert not Boundary.objects.exists()
