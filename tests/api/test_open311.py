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


def _public(coordinator: Any, **fields: Any) -> Report:
    verify = {
        "classification": "pengaduan_tidak_berkadar_pengawasan",
        "category": fields.pop("category", KESEHATAN),
    }
    return act(coordinator, submit(**fields).report, "verify", **verify)


def test_status_takes_a_comma_list(koordinator) -> None:  # type: ignore[no-untyped-def]
    from aduan.core.actors import actor_for_user

    coordinator = actor_for_user(koordinator)
    open_one = _public(coordinator)
    closed_one = act(coordinator, _public(coordinator), "close", reason="Sudah selesai di lapangan.")
    client = Client()

    def ids(status: str) -> set[str]:
        return {
            i["service_request_id"] for i in client.get(f"{BASE}/requests.json", {"status": status}).json()
        }

    assert ids("open") == {open_one.tracking_number} and ids("closed") == {closed_one.tracking_number}
    assert ids("open,closed") == ids("closed, open") == {open_one.tracking_number, closed_one.tracking_number}
    for bad in ("open,lain", "selesai"):
        response = client.get(f"{BASE}/requests.json", {"status": bad})
        assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_a_top_level_service_code_matches_its_sub_categories(koordinator) -> None:  # type: ignore[no-untyped-def]
    from aduan.core.actors import actor_for_user
    from aduan.directory.models import Category

    coordinator = actor_for_user(koordinator)
    sub = Category.objects.filter(parent__code=KESEHATAN, is_active=True).first()
    other_top = Category.objects.filter(parent__isnull=True).exclude(code=KESEHATAN).first()
    in_sub = _public(coordinator, category=sub.code)
    in_top = _public(coordinator)
    elsewhere = _public(coordinator, category=other_top.code)
    listing = Client().get(f"{BASE}/requests.json", {"service_code": KESEHATAN}).json()
    assert {i["service_request_id"] for i in listing} == {in_sub.tracking_number, in_top.tracking_number}
    only_sub = Client().get(f"{BASE}/requests.json", {"service_code": sub.code}).json()
    assert [i["service_request_id"] for i in only_sub] == [in_sub.tracking_number]
    assert elsewhere.tracking_number not in str(listing)


def test_the_token_endpoint_answers_the_request_id(koordinator) -> None:  # type: ignore[no-untyped-def]
    form = {
        "api_key": token_for(koordinator),
        "service_code": KESEHATAN,
        "address_string": "Jl. Soekarno-Hatta",
        "description": "Antrean panjang.",
    }
    created = Client().post(f"{BASE}/requests.json", form).json()[0]
    number = created["service_request_id"]
    assert Client().get(f"{BASE}/tokens/{number}.json").json() == [
        {"service_request_id": number, "token": number}
    ]
    xml = _xml(Client().get(f"{BASE}/tokens/{number}.xml"))
    assert xml.find("request/service_request_id").text == number
    missing = Client().get(f"{BASE}/tokens/2611-0000000.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_unknown_values_are_null_in_json_and_empty_in_xml(koordinator) -> None:  # type: ignore[no-untyped-def]
    from aduan.core.actors import actor_for_user

    report = _public(actor_for_user(koordinator))  # no coordinates, no lead agency, no photo
    item = Client().get(f"{BASE}/requests/{report.tracking_number}.json").json()[0]
    for unknown in ("lat", "long", "address_id", "media_url", "agency_responsible", "service_notice"):
        assert item[unknown] is None, unknown
    assert item["expected_datetime"] and item["service_code"] == KESEHATAN
    xml = _xml(Client().get(f"{BASE}/requests/{report.tracking_number}.xml"))
    assert xml.find("request/lat").text is None and xml.find("request/media_url") is not None


def test_media_is_stored_and_public_photos_get_a_media_url(koordinator, tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    from aduan.core.actors import actor_for_user
    from aduan.workflow.photos import attachment_public_set

    settings.MEDIA_ROOT = str(tmp_path)
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(photo, format="PNG")
    photo.seek(0)
    photo.name = "lubang.png"
    form = {
        "api_key": token_for(koordinator),
        "service_code": KESEHATAN,
        "lat": "-7.8651",
        "long": "111.4696",
        "description": "Jalan berlubang di depan puskesmas.",
        "media": photo,
    }
    response = Client().post(f"{BASE}/requests.json", form)
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_number=response.json()[0]["service_request_id"])
    assert report.attachments.get().content_type.startswith("image/")
    # Not public before verification: no request, no photo.
    url = f"/api/open311/v2/media/{report.tracking_number}/{report.attachments.get().pk}"
    assert Client().get(url).status_code == 404
    act(actor_for_user(koordinator), report, "verify", classification="aspirasi", category=KESEHATAN)
    # Public report, photo not marked public by the coordinator: no media_url, no photo.
    item = Client().get(f"{BASE}/requests/{report.tracking_number}.json").json()[0]
    assert item["media_url"] is None and Client().get(url).status_code == 404
    attachment_public_set(
        actor=actor_for_user(koordinator),
        report_id=report.pk,
        attachment_id=report.attachments.get().pk,
        public=True,
    )
    item = Client().get(f"{BASE}/requests/{report.tracking_number}.json").json()[0]
    assert item["media_url"] == f"http://testserver{url}"
    image = Client().get(url)
    assert image.status_code == 200 and image["Content-Type"].startswith("image/")
    assert Image.open(io.BytesIO(b"".join(image.streaming_content))).size == (40, 30)
    not_a_photo = io.BytesIO(b"bukan gambar")
    not_a_photo.name = "x.png"
    refused = Client().post(f"{BASE}/requests.json", {**form, "media": not_a_photo})
    assert refused.status_code == 400 and Report.objects.count() == 1
