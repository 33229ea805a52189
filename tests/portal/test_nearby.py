"""Before a new report: open public reports in the same desa or near the pin, the same topic first,
each with "saya juga mengalami"; the same list for the app (GET /api/v1/nearby-reports)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.directory.models import Region
from aduan.intake.models import Report
from tests.factories import KESEHATAN, PUPR, act, submit

pytestmark = pytest.mark.django_db

HERE = (-7.865000, 111.462000)


def _public(koordinator: User, title: str, category: str = KESEHATAN, **kw: Any) -> Report:
    report = submit(title=title, **kw).report
    return act(
        actor_for_user(koordinator),
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category=category,
    )


@pytest.fixture
def around(koordinator: User) -> dict[str, Any]:
    desa = Region.objects.filter(parent_id="35.02.17").order_by("code").first()
    assert desa is not None
    k = actor_for_user(koordinator)
    far_away = {"latitude": "-7.885000", "longitude": "111.462000"}  # ~2.2 km south
    near = {"latitude": "-7.866500", "longitude": "111.463000"}  # ~200 m
    reports = {
        "same_desa": _public(koordinator, "Jalan desa rusak", category=PUPR, region=desa.code),
        "near_same_topic": _public(koordinator, "Puskesmas tutup siang", **near),
        "far_same_topic": _public(koordinator, "Puskesmas jauh", **far_away),
        "secret": _public(koordinator, "Rahasia di desa", region=desa.code, confidential=True),
        "unverified": submit(title="Belum diverifikasi di desa", region=desa.code).report,
        "closed": act(
            k,
            _public(koordinator, "Sudah selesai di desa", region=desa.code),
            "close",
            reason="Sudah ditangani.",
        ),
    }
    return {"desa": desa.code, **reports}


def test_the_form_lists_open_public_reports_nearby_same_topic_first(around: dict[str, Any]) -> None:
    query = {"desa": around["desa"], "lat": HERE[0], "lon": HERE[1], "kategori": KESEHATAN}
    html = Client().get(reverse("portal:nearby"), query).content.decode()
    assert "Puskesmas tutup siang" in html and "Jalan desa rusak" in html
    assert html.index("Puskesmas tutup siang") < html.index("Jalan desa rusak")  # same topic first
    for hidden in ("Puskesmas jauh", "Rahasia di desa", "Belum diverifikasi", "Sudah selesai"):
        assert hidden not in html, hidden
    support = reverse("portal:support", args=[around["near_same_topic"].tracking_number])
    assert f'action="{support}"' in html and "Saya juga mengalami" in html
    # Nothing to go on, or nonsense: an empty answer, never an error.
    assert Client().get(reverse("portal:nearby")).content.decode().strip() == ""
    assert Client().get(reverse("portal:nearby"), {"lat": "nan", "lon": "x"}).status_code == 200


def test_the_form_page_has_the_nearby_place() -> None:
    html = Client().get("/lapor/").content.decode()
    assert f'id="nearby" aria-live="polite" data-url="{reverse("portal:nearby")}"' in html


def test_the_app_gets_the_same_list(around: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")
    body = (
        Client()
        .get(
            "/api/v1/nearby-reports",
            {"desa": around["desa"], "latitude": HERE[0], "longitude": HERE[1], "category": KESEHATAN},
        )
        .json()
    )
    numbers = [r["tracking_number"] for r in body]
    assert numbers == [around["near_same_topic"].tracking_number, around["same_desa"].tracking_number]
    assert body[0]["latitude"] == -7.8665 and body[0]["location_exact"] and "name" not in body[0]
    refused = Client().get("/api/v1/nearby-reports", {"latitude": HERE[0]})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_point"
    assert Client().get("/api/v1/nearby-reports").json()["code"] == "place_required"


def test_an_anonymous_report_is_placed_at_its_grid_cell(koordinator: User, monkeypatch: Any) -> None:
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")
    _public(koordinator, "Pungli parkir", anonymous=True, latitude="-7.866500", longitude="111.463000")
    body = Client().get("/api/v1/nearby-reports", {"latitude": HERE[0], "longitude": HERE[1]}).json()
    assert [(r["latitude"], r["longitude"], r["location_exact"]) for r in body] == [
        (-7.8675, 111.4625, False)
    ]
