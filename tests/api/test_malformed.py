"""Malformed input answers 4xx in the documented format, never 500 (issue 12): the REST API with
RFC 9457 problems and a stable code, Open311 with its own error list (JSON or XML). Each case is
one a robustness pass found answering 500. (Drafts: tests/portal/test_malformed.py; the SMS
webhook: tests/channels/test_malformed.py.)"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aduan.intake.models import IdempotencyRecord, Report
from tests.api.conftest import SMALLEST, Api, is_problem, token_for
from tests.factories import KESEHATAN

pytestmark = pytest.mark.django_db
OPEN311 = "/api/open311/v2"
DEEP = b"[" * 50_000 + b"]" * 50_000
LONG_EMAIL = "a" * 296 + "@example.id"  # 307 characters, passes validate_email, over varchar(254)


# --- the REST API ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"title": "Jalan \ud800 rusak"}, "invalid_characters", "title"),
        ({"description": "lubang\udfff"}, "invalid_characters", "description"),
        ({"name": "Siti\x00"}, "invalid_characters", "name"),
        ({"address": "Jl. \x00"}, "invalid_characters", "address"),
        ({"region": "35.02.17\x00"}, "invalid_characters", "region"),
        ({"category": "kesehatan\x00"}, "invalid_characters", "category"),
        ({"email": LONG_EMAIL}, "invalid_email", "email"),
        ({"name": "n" * 121}, "name_too_long", "name"),
        ({"address": "a" * 301}, "address_too_long", "address"),
        ({"nik": "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦"}, "invalid_nik", "nik"),
        ({"latitude": float("nan"), "longitude": 111.4}, "invalid_latitude", "latitude"),
        ({"latitude": -7.8, "longitude": float("inf")}, "invalid_longitude", "longitude"),
        ({"latitude": 1e308, "longitude": 111.4}, "invalid_latitude", "latitude"),
        ({"region": "35.01.01"}, "region_outside_installation", "region"),
        ({"region": ""}, "region_required", "region"),
        ({"region": "   "}, "region_required", "region"),
    ],
)
def test_values_the_database_would_refuse_are_refused_first(
    api: Api, change: dict[str, Any], code: str, field: str
) -> None:
    response = api.post("/reports", {**SMALLEST, **change})
    assert is_problem(response, 400, code)["field"] == field
    assert Report.objects.count() == 0


def test_a_lone_surrogate_never_reaches_the_answer(api: Api) -> None:
    # The refusal names the field without echoing the character (it could not be encoded).
    body = is_problem(api.post("/reports", {**SMALLEST, "title": "\ud800"}), 400, "invalid_characters")
    assert "\ud800" not in body["detail"]


def test_text_is_normalised_before_it_is_stored(api: Api) -> None:
    response = api.post(
        "/reports",
        {**SMALLEST, "title": " Cafe\u0301\tdi\npasar ", "description": "baris 1\r\nbaris 2\x07"},
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert report.title == "Caf\u00e9 di pasar"  # NFC, one line
    assert report.original_text == "baris 1\nbaris 2"


@pytest.mark.parametrize(
    "path", ["/api/v1/reports", "/api/v1/reports/2611-0000001/actions/verify"], ids=["create", "action"]
)
def test_multipart_without_a_boundary_is_a_400(db: None, path: str) -> None:
    response = Client().post(path, b"--x\r\n", content_type="multipart/form-data")
    is_problem(response, 400, "invalid_multipart")


def test_json_nested_too_deep_is_invalid_json(api: Api) -> None:
    response = api.client.post("/api/v1/reports", DEEP, content_type="application/json")
    is_problem(response, 400, "invalid_json")


def test_a_zero_byte_file_is_called_empty_not_a_wrong_type(api: Api) -> None:
    empty = SimpleUploadedFile("foto.jpg", b"", content_type="image/jpeg")
    response = api.post_multipart("/reports", {**SMALLEST, "attachments": empty})
    assert "kosong" in is_problem(response, 400, "attachment_empty")["detail"]
    assert Report.objects.count() == 0


def test_a_long_idempotency_key_is_refused_not_cut(api: Api) -> None:
    longest = "k" * 128
    assert api.post("/reports", SMALLEST, {"Idempotency-Key": longest}).status_code == 201
    # Two different keys that share their first 128 characters used to collide (422).
    for tail in ("-a", "-b"):
        response = api.post("/reports", {**SMALLEST, "title": tail}, {"Idempotency-Key": longest + tail})
        assert is_problem(response, 400, "idempotency_key_too_long")["field"] == "idempotency_key"
    assert Report.objects.count() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [longest]


@pytest.mark.parametrize(
    "query",
    [
        {"page": "32589158477190044731"},
        {"page": str(10**6 + 1)},
        {"updated_since": "2026-02-30T00:00:00+07:00"},
        {"updated_since": "2026-13-01T00:00:00+07:00"},
        {"updated_since": "2026-01-01T25:00:00+07:00"},
        {"updated_since": "0001-01-01T00:00:00+12:00"},
        {"updated_since": "9999-12-31T23:59:59-12:00"},
        {"updated_since": "2026-01-01T00:00:00"},
    ],
)
def test_list_parameters_out_of_range_are_a_400(koordinator: Any, query: dict[str, str]) -> None:
    api = Api(token=token_for(koordinator))
    name = next(iter(query))
    assert is_problem(api.get("/reports", **query), 400, f"invalid_{name}")["field"] == name


def test_the_last_page_allowed_still_answers(koordinator: Any) -> None:
    api = Api(token=token_for(koordinator))
    response = api.get("/reports", page=str(10**6), updated_since="2026-01-01T00:00:00+07:00")
    assert response.status_code == 200 and response.json()["results"] == []


def test_an_action_with_nul_in_a_code_is_a_400(koordinator: Any, api: Api) -> None:
    created = api.post("/reports", SMALLEST).json()
    staff = Api(token=token_for(koordinator))
    response = staff.act(
        created["tracking_number"],
        "verify",
        {"classification": "aspirasi", "category": f"{KESEHATAN}\x00"},
    )
    assert is_problem(response, 400, "invalid_characters")["field"] == "category"


# --- Open311 --------------------------------------------------------------------------------------


def open311_error(response: Any, fmt: str, status: int) -> str:
    """The spec's error list with this status, in the format asked for; its description."""
    assert response.status_code == status, response.content
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        (error,) = response.json()
        assert error["code"] == status
        return str(error["description"])
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.findtext("error/code") == str(status)
    return root.findtext("error/description") or ""


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "query",
    [
        "page=1e20",
        "page=100000000000000000000",
        "start_date=2026-02-30T00:00:00Z",
        "end_date=2026-13-01T00:00:00Z",
        "start_date=2026-01-01T25:00:00Z",
        "start_date=0001-01-01T00:00:00%2B12:00",
        "service_request_id=2611-0000001%00",
    ],
)
def test_open311_bad_parameters_are_error_lists(db: None, fmt: str, query: str) -> None:
    open311_error(Client().get(f"{OPEN311}/requests.{fmt}?{query}"), fmt, 400)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_wrong_methods_are_405_error_lists_not_pages(db: None, fmt: str) -> None:
    client = Client(enforce_csrf_checks=True)  # as a real client: no CSRF page may answer
    posted = client.post(f"{OPEN311}/discovery.{fmt}", {})
    assert "POST" in open311_error(posted, fmt, 405) and posted["Allow"] == "GET"
    put = client.put(f"{OPEN311}/requests.{fmt}", b"")
    assert "PUT" in open311_error(put, fmt, 405) and put["Allow"] == "GET, POST"


def test_open311_post_with_a_bad_key_is_a_403_error_list_even_with_csrf_checks(db: None) -> None:
    response = Client(enforce_csrf_checks=True).post(f"{OPEN311}/requests.xml", {"api_key": "adn_salah"})
    open311_error(response, "xml", 403)


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"description": "Antrean\x00 panjang"}, "description"),
        ({"attribute[region]": "35.01.01"}, "di luar wilayah"),
        ({"email": LONG_EMAIL}, "email"),
    ],
)
def test_open311_post_refuses_what_the_api_refuses(
    koordinator: Any, change: dict[str, str], text: str
) -> None:
    form = {
        "api_key": token_for(koordinator),
        "service_code": KESEHATAN,
        "lat": "-7.8651",
        "long": "111.4696",
        "description": "Antrean puskesmas sangat panjang.",
        "attribute[region]": "35.02.17",
        **change,
    }
    assert text in open311_error(Client().post(f"{OPEN311}/requests.json", form), "json", 400)
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"name": "Siti \ud800"}, 400, "invalid_characters"),
        ({"username": "siti\x00"}, 400, "invalid_characters"),
        ({"password": "rahasia-\ud800-panjang"}, 400, "invalid_characters"),
        ({"email": "siti\x00@example.id"}, 400, "invalid_characters"),
    ],
)
def test_account_registration_refuses_invalid_characters(
    db: None, change: dict[str, str], status: int, code: str
) -> None:
    body = {"username": "siti", "password": "rahasia-sekali-2026", "phone": "081234567890", **change}
    is_problem(Api().post("/auth/register", body), status, code)


@pytest.mark.parametrize(
    "body", [{"username": "siti\x00", "password": "x"}, {"username": "siti", "password": "\ud800"}]
)
def test_login_with_invalid_characters_is_wrong_credentials(db: None, body: dict[str, str]) -> None:
    is_problem(Api().post("/auth/login", body), 401, "invalid_credentials")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_unknown_addresses_are_404_error_lists(db: None, fmt: str) -> None:
    open311_error(Client().get(f"{OPEN311}/tidak-ada.{fmt}"), fmt, 404)


def test_nul_in_an_address_is_a_400_before_any_view(api: Api) -> None:
    created = api.post("/reports", SMALLEST).json()
    number, code = created["tracking_number"], created["access_code"]
    is_problem(api.get(f"/reports/{number}%00", headers={"X-Access-Code": code}), 400, "invalid_characters")
    is_problem(api.post(f"/reports/{number}%00/support"), 400, "invalid_characters")
    is_problem(api.get("/regions", parent="35.02\x00"), 400, "invalid_characters")
    for fmt in ("json", "xml"):
        open311_error(Client().get(f"{OPEN311}/requests/{number}%00.{fmt}"), fmt, 400)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_multipart_without_a_boundary_is_an_error_list(db: None, fmt: str) -> None:
    response = Client().post(f"{OPEN311}/requests.{fmt}", b"--x\r\n", content_type="multipart/form-data")
    assert "multipart" in open311_error(response, fmt, 400)
