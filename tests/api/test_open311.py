"""Open311 GeoReport v2: discovery, services, requests in JSON and XML; no confidential reports, no personal data."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from aduan.intake.models import Report
from tests.api.conftest import token_for
from tests.factories import KESEHATAN, act, submit

pytestmark = pytest.mark.django_db
BASE = "/api/open311/v2"


def _xml(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return ET.fromstring(response.content)


def test_discovery_and_services(db: None) -> None:
    client = Client()
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "text/xml" in discovery["endpoints"][0]["formats"]
    assert _xml(client.get(f"{BASE}/discovery.xml")).find("endpoints/endpoint/formats/format") is not None
    services = client.get(f"{BASE}/services.json").json()
    kesehatan = next(s for s in services if s["service_code"] == KESEHATAN)
    assert kesehatan["type"] == "realtime" and kesehatan["metadata"] is True and kesehatan["group"]
    codes = [e.text for e in _xml(client.get(f"{BASE}/services.xml")).findall("service/service_code")]
    assert KESEHATAN in codes and len(codes) == len(services)
    definition = client.get(f"{BASE}/services/{KESEHATAN}.json").json()
    region = next(a for a in definition["attributes"] if a["code"] == "region")
    assert {"key": "35.02.17", "name": "Ponorogo"} in [
        {"key": v["key"], "name": v["name"].title()} for v in region["values"]
    ]
    missing = client.get(f"{BASE}/services/tidak-ada.xml")
    assert missing.status_code == 404 and _xml(missing).find("error/code").text == "404"


def test_post_request_makes_an_api_channel_report(koordinator) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    form = {
        "api_key": token_for(koordinator),
        "service_code": KESEHATAN,
        "lat": "-7.8651",
        "long": "111.4696",
        "description": "Antrean puskesmas sangat panjang dan loket hanya satu.",
        "attribute[region]": "35.02.17",
        "email": "warga@example.org",
        "first_name": "Siti",
    }
    response = client.post(f"{BASE}/requests.json", form)
    assert response.status_code == 201, response.content
    created = response.json()[0]
    report = Report.objects.select_related("reporter").get(tracking_number=created["service_request_id"])
    assert report.channel == "api" and report.category.code == KESEHATAN and report.kecamatan_id == "35.02.17"
    assert report.reporter.email == "warga@example.org"
    xml = client.post(f"{BASE}/requests.xml", form)
    assert xml.status_code == 201 and _xml(xml).find("request/service_request_id").text
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": "adn_salah"}, 403),
        ({"api_key": ""}, 403),
        ({"service_code": "tidak-ada"}, 400),
        ({"lat": "", "long": ""}, 400),
        ({"description": "x" * 4001}, 400),
        ({"attribute[region]": "99.99"}, 400),
    ],
)
def test_post_errors_are_error_lists(koordinator, change: dict, status: int) -> None:  # type: ignore[no-untyped-def]
    form = {
        "api_key": token_for(koordinator),
        "service_code": KESEHATAN,
        "lat": "-7.86",
        "long": "111.46",
        "description": "Rusak.",
    }
    response = Client().post(f"{BASE}/requests.json", {**form, **change})
    assert response.status_code == status, response.content
    body = response.json()
    assert body[0]["code"] == status and body[0]["description"]
    assert Report.objects.count() == 0


def test_get_requests_shows_public_reports_without_personal_data(koordinator) -> None:  # type: ignore[no-untyped-def]
    from aduan.core.actors import actor_for_user

    coordinator = actor_for_user(koordinator)
    verify = {"classification": "pengaduan_tidak_berkadar_pengawasan", "category": KESEHATAN}
    public = act(coordinator, submit(name="Siti Aminah", phone="081234567890").report, "verify", **verify)
    public = act(coordinator, public, "dispose", lead="dinkes", supporting=[])
    secret = act(coordinator, submit(confidential=True, title="Rahasia").report, "verify", **verify)
    unverified = submit(title="Belum diverifikasi").report
    client = Client()
    listing = client.get(f"{BASE}/requests.json", {"extensions": "true"})
    assert listing.status_code == 200
    items = listing.json()
    assert [i["service_request_id"] for i in items] == [public.tracking_number]
    item = items[0]
    assert item["status"] == "open" and item["agency_responsible"] == "Dinas Kesehatan"
    assert item["service_code"] == KESEHATAN and item["expected_datetime"]
    assert item["extended_attributes"]["channel"] == "web"
    text = listing.content.decode()
    for personal in ("Siti Aminah", "081234567890", "+6281234567890", "siti@example.org"):
        assert personal not in text
    for hidden in (secret, unverified):
        assert client.get(f"{BASE}/requests/{hidden.tracking_number}.json").status_code == 404
    one = _xml(client.get(f"{BASE}/requests/{public.tracking_number}.xml"))
    assert (
        one.tag == "service_requests"
        and one.find("request/service_request_id").text == public.tracking_number
    )
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []
    assert (
        client.get(
            f"{BASE}/requests.json",
            {"service_request_id": f"{public.tracking_number},{secret.tracking_number}"},
        ).json()[0]["service_request_id"]
        == public.tracking_number
    )
    bad = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-06-01T00:00:00+07:00"},
    )
    assert bad.status_code == 400
    assert client.get(f"{BASE}/tokens/abc.json").status_code == 404
