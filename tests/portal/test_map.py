"""Map-first location: the pin on the form, pins outside the kabupaten refused, the public map
(/peta/) and the console map showing an anonymous report only at its ~500 m grid cell."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.intake.models import Report
from tests.console.conftest import login
from tests.factories import KESEHATAN, act, submit
from tests.portal.conftest import csrf_client, form_data

pytestmark = pytest.mark.django_db
__all__ = ["login"]

PIN = {"latitude": "-7.865123", "longitude": "111.462345"}
JAKARTA = {"latitude": "-6.175392", "longitude": "106.827153"}


def _json_script(html: str, element_id: str) -> Any:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def _public(koordinator: User, **kw: Any) -> Report:
    report = submit(**kw).report
    return act(
        actor_for_user(koordinator),
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category=KESEHATAN,
    )


def test_the_form_offers_a_map_whose_tiles_come_from_the_setting(settings: Any) -> None:
    settings.ADUAN_MAP_TILE_URL = "https://peta.ponorogo.go.id/{z}/{x}/{y}.png"
    html = Client().get("/lapor/").content.decode()
    assert 'id="pin-map"' in html and 'id="show-map"' in html and "map/map.js" in html
    config = _json_script(html, "map-config")
    assert config["tiles"] == "https://peta.ponorogo.go.id/{z}/{x}/{y}.png"
    assert config["bounds"] == list(settings.ADUAN_MAP_BOUNDS)
    assert config["leaflet_js"].endswith("vendor/leaflet/leaflet.js")
    # The no-script way stays: kecamatan/desa pickers and the coordinate fields.
    assert 'name="kecamatan"' in html and 'name="latitude"' in html


def test_a_pin_goes_with_the_report_and_one_outside_the_kabupaten_is_refused() -> None:
    client, token = csrf_client()
    refused = client.post("/lapor/", {**form_data(**JAKARTA), "csrfmiddlewaretoken": token})
    assert refused.status_code == 400 and not Report.objects.exists()
    page = refused.content.decode()
    assert "di luar wilayah" in page and "Jalan berlubang di depan SDN 1 Babadan" in page
    accepted = client.post("/lapor/", {**form_data(**PIN), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    report = Report.objects.get()
    assert (str(report.latitude), str(report.longitude)) == (PIN["latitude"], PIN["longitude"])


def test_the_api_refuses_a_pin_outside_the_kabupaten_too() -> None:
    body = {
        "kind": "pengaduan",
        "title": "Jalan rusak",
        "description": "Jalan rusak parah.",
        "region": "35.02.17",
    }
    response = Client().post(
        "/api/v1/reports",
        {**body, "latitude": -6.175392, "longitude": 106.827153},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "location_outside_installation"
    assert not Report.objects.exists()


def test_the_public_map_shows_an_anonymous_report_only_at_its_grid_cell(koordinator: User) -> None:
    named = _public(koordinator, title="Lampu jalan mati", **PIN)
    anonymous = _public(koordinator, title="Pungli di kantor desa", anonymous=True, **PIN)
    secret = _public(koordinator, title="Rahasia sekali", confidential=True, **PIN)
    without_pin = _public(koordinator, title="Tanpa titik")
    html = Client().get("/peta/").content.decode()
    points = {p["url"]: p for p in _json_script(html, "map-points")}
    url = lambda r: reverse("portal:public_report", args=[r.tracking_number])  # noqa: E731
    assert url(secret) not in points and url(without_pin) not in points and "Rahasia sekali" not in html
    assert (points[url(named)]["lat"], points[url(named)]["lng"]) == (-7.865123, 111.462345)
    assert points[url(named)]["exact"]
    coarse = points[url(anonymous)]
    assert (coarse["lat"], coarse["lng"]) == (-7.8675, 111.4625) and not coarse["exact"]
    assert "7.865123" not in html.replace(points[url(named)]["title"], "").split(url(anonymous))[1]
    # Without JavaScript the same reports are a list of links.
    assert f'<a href="{url(anonymous)}">' in html


def test_staff_see_the_pin_as_location_for_allows(
    koordinator: User, admin_dinkes: User, login: Any, monkeypatch: Any
) -> None:
    from aduan.api.services import token_create

    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")
    report = _public(koordinator, anonymous=True, **PIN)
    act(actor_for_user(koordinator), report, "dispose", lead="dinkes", supporting=[], instruction="Cek.")
    page = login(koordinator).get(reverse("console:report", args=[report.tracking_number])).content.decode()
    assert _json_script(page, "map-points")[0]["lat"] == -7.865123 and "-7.865123, 111.462345" in page
    page = login(admin_dinkes).get(reverse("console:report", args=[report.tracking_number])).content.decode()
    point = _json_script(page, "map-points")[0]
    assert (point["lat"], point["lng"], point["exact"]) == (-7.8675, 111.4625, False)
    assert "7.865123" not in page and "111.462345" not in page
    for user, expected in (
        (koordinator, (-7.865123, 111.462345, True)),
        (admin_dinkes, (-7.8675, 111.4625, False)),
    ):
        token = token_create(user=user, name="t", channel="api")[1]
        body = (
            Client()
            .get(f"/api/v1/reports/{report.tracking_number}", headers={"Authorization": f"Bearer {token}"})
            .json()
        )
        assert (body["latitude"], body["longitude"], body["location_exact"]) == expected


def test_the_upload_messages_reach_the_script_in_both_languages() -> None:
    for language, sending in (("id", "Mengirim… (%(pct)s persen)"), ("en", "Sending… (%(pct)s percent)")):
        client = Client()
        client.cookies["django_language"] = language
        html = client.get("/lapor/").content.decode()
        assert f'data-msg-sending="{sending}"' in html, language
        assert re.search(r'data-msg-too-large="[^"]*%\(name\)s', html), language
        assert 'id="upload-retry"' in html and 'data-max-bytes="' in html
