"""Citizen side of the API: create (exactly once), bad input, reading one's report, accounts, limits."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from aduan.intake.models import Attachment, IdempotencyRecord, Report
from aduan.workflow.models import ReportEvent
from tests.api.conftest import SMALLEST, Api, is_problem, token_for

pytestmark = pytest.mark.django_db


def test_create_with_the_smallest_body(api: Api) -> None:
    response = api.post("/reports", SMALLEST)
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get()
    assert body["tracking_number"] == report.tracking_number
    assert report.check_access_code(body["access_code"])
    assert body["status"] == report.status == "belum_terverifikasi"
    assert body["channel"] == report.channel == "mobile"
    assert report.kecamatan_id == "35.02.17" and report.desa_id is None
    assert response["Location"] == f"/api/v1/reports/{report.tracking_number}"
    assert list(ReportEvent.objects.filter(report=report).values_list("action", flat=True)) == ["submit"]


def test_desa_code_and_optional_fields_are_kept(api: Api) -> None:
    body = {
        **SMALLEST,
        "kind": "aspirasi",
        "region": "35.02.17.1001",
        "phone": "0812-3456-7890",
        "email": "Budi@Example.org",
        "latitude": -7.8651,
        "longitude": 111.4696,
        "incident_date": "2026-11-01",
        "anonymous": True,
    }
    response = api.post("/reports", body)
    assert response.status_code == 201, response.content
    report = Report.objects.select_related("reporter").get()
    assert report.desa_id == "35.02.17.1001" and report.kecamatan_id == "35.02.17"
    assert report.kind == "aspirasi" and report.is_anonymous
    assert report.reporter is not None and report.reporter.phone == "+6281234567890"
    assert report.reporter.email == "budi@example.org"


def test_idempotent_retry_returns_the_first_report(api: Api) -> None:
    headers = {"Idempotency-Key": "draft-7f3a"}
    first = api.post("/reports", SMALLEST, headers)
    again = api.post("/reports", SMALLEST, headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_with_a_different_body_is_refused(api: Api) -> None:
    headers = {"Idempotency-Key": "draft-7f3a"}
    assert api.post("/reports", SMALLEST, headers).status_code == 201
    changed = api.post("/reports", {**SMALLEST, "title": "Judul lain"}, headers)
    is_problem(changed, 422, "idempotency_key_reused")
    assert Report.objects.count() == 1


def test_idempotency_keys_belong_to_their_device(db: None) -> None:
    one, two = Api(device="device-aaaa-0001"), Api(device="device-bbbb-0002")
    headers = {"Idempotency-Key": "same-key"}
    a = one.post("/reports", SMALLEST, headers).json()
    b = two.post("/reports", SMALLEST, headers).json()
    assert a["tracking_number"] != b["tracking_number"]
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"region": "99.99.99"}, 400, "unknown_region", "region"),
        ({"region": "35.02"}, 400, "unknown_region", "region"),
        ({"kind": "keluhan"}, 400, "invalid_kind", "kind"),
        ({"phone": "12345"}, 400, "invalid_phone", "phone"),
        ({"email": "bukan-email"}, 400, "invalid_email", "email"),
        ({"nik": "123"}, 400, "invalid_nik", "nik"),
        ({"description": "x" * 20_001}, 400, "description_too_long", "description"),
        ({"title": "   "}, 400, "title_required", "title"),
        ({"category": "tidak-ada"}, 400, "unknown_category", "category"),
        ({"latitude": "utara"}, 422, "invalid_latitude", "latitude"),
        ({"title": None}, 422, "invalid_title", "title"),
    ],
)
def test_bad_input_is_a_problem_and_nothing_is_stored(
    api: Api, change: dict, status: int, code: str, field: str
) -> None:
    body = is_problem(api.post("/reports", {**SMALLEST, **change}), status, code)
    assert body["field"] == field
    assert Report.objects.count() == 0


def test_missing_field_and_broken_json(api: Api) -> None:
    missing = {k: v for k, v in SMALLEST.items() if k != "description"}
    assert is_problem(api.post("/reports", missing), 422, "description_required")["field"] == "description"
    broken = api.client.post("/api/v1/reports", "{not json", content_type="application/json")
    is_problem(broken, 400, "invalid_json")
    assert Report.objects.count() == 0


def test_megabytes_of_text_are_refused(api: Api) -> None:
    response = api.post("/reports", {**SMALLEST, "description": "a" * 3_000_000})
    is_problem(response, 413, "request_too_large")
    assert Report.objects.count() == 0


def _png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, format="PNG")
    out.seek(0)
    out.name = "foto.png"
    return out


def test_multipart_with_a_photo(api: Api) -> None:
    response = api.post_multipart("/reports", {**SMALLEST, "anonymous": "true", "attachments": [_png()]})
    assert response.status_code == 201, response.content
    assert response.json()["attachments"] == 1
    report = Report.objects.get()
    assert report.is_anonymous
    attachment = Attachment.objects.get(report=report)
    assert attachment.content_type in ("image/png", "image/jpeg")


def test_a_non_image_named_jpg_is_refused_and_nothing_stored(api: Api) -> None:
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>" * 10)
    fake.name = "foto.jpg"
    response = api.post_multipart("/reports", {**SMALLEST, "attachments": [fake]})
    assert is_problem(response, 400, "attachment_type_not_allowed")["field"] == "attachments"
    assert Report.objects.count() == 0 and Attachment.objects.count() == 0


def test_read_with_access_code(api: Api) -> None:
    created = api.post("/reports", {**SMALLEST, "name": "Siti", "phone": "081234567890"}).json()
    number, code = created["tracking_number"], created["access_code"]
    by_header = api.get(f"/reports/{number}", headers={"X-Access-Code": code})
    assert by_header.status_code == 200, by_header.content
    body = by_header.json()
    assert body["tracking_number"] == number and body["status"] == "belum_terverifikasi"
    assert body["channel"] == "mobile"
    assert [e["action"] for e in body["timeline"]] == ["submit"]
    assert "due_at" not in body and "original_text" not in body  # staff-only fields are absent
    assert body["reporter"]["name"] == "Siti"  # the citizen sees their own identity
    by_header_loosely = api.get(
        f"/reports/{number}", headers={"X-Access-Code": code.lower().replace("-", "")}
    )
    assert by_header_loosely.status_code == 200
    # Never in the address: addresses are written to server and proxy logs.
    by_query = api.get(f"/reports/{number}", access_code=code)
    assert is_problem(by_query, 400, "access_code_in_url")["field"] == "access_code"
    assert code not in by_query.content.decode()


def test_read_without_or_with_a_wrong_access_code(api: Api) -> None:
    created = api.post("/reports", SMALLEST).json()
    number = created["tracking_number"]
    is_problem(api.get(f"/reports/{number}"), 401, "access_code_required")
    wrong_code = api.get(f"/reports/{number}", headers={"X-Access-Code": "AAAA-BBBB"})
    missing = api.get("/reports/0000-000000", headers={"X-Access-Code": created["access_code"]})
    # The same answer: a wrong code does not confirm that the number exists.
    assert is_problem(wrong_code, 404, "report_not_found") == is_problem(missing, 404, "report_not_found")


def test_another_reports_code_does_not_open_this_one(api: Api) -> None:
    mine = api.post("/reports", SMALLEST).json()
    other = api.post("/reports", {**SMALLEST, "title": "Lain"}).json()
    response = api.get(f"/reports/{other['tracking_number']}", headers={"X-Access-Code": mine["access_code"]})
    is_problem(response, 404, "report_not_found")


def test_citizen_account_register_login_and_own_reports(db: None) -> None:
    anonymous = Api()
    registered = anonymous.post(
        "/auth/register",
        {
            "username": "budi",
            "password": "kata-sandi-rahasia-9",
            "name": "Budi Santoso",
            "phone": "081298765432",
        },
    )
    assert registered.status_code == 201, registered.content
    is_problem(
        anonymous.post("/auth/register", {"username": "budi", "password": "kata-sandi-rahasia-9"}),
        400,
        "username_taken",
    )
    is_problem(
        anonymous.post("/auth/login", {"username": "budi", "password": "salah"}), 401, "invalid_credentials"
    )
    login = anonymous.post("/auth/login", {"username": "budi", "password": "kata-sandi-rahasia-9"})
    assert login.status_code == 200
    citizen = Api(token=login.json()["token"])
    created = citizen.post("/reports", SMALLEST).json()
    assert created["channel"] == "mobile"
    Api().post("/reports", {**SMALLEST, "title": "Laporan orang lain"})
    listing = citizen.get("/reports").json()
    assert [r["tracking_number"] for r in listing["results"]] == [created["tracking_number"]]
    own = citizen.get(f"/reports/{created['tracking_number']}")  # no access code needed with the account
    assert own.status_code == 200 and own.json()["tracking_number"] == created["tracking_number"]
    assert citizen.post("/auth/logout").status_code == 204
    is_problem(citizen.get("/reports"), 401, "invalid_token")


def test_staff_cannot_log_in_through_the_app(koordinator) -> None:  # type: ignore[no-untyped-def]
    # Answered exactly like a wrong password: the app must not confirm a staff password.
    is_problem(
        Api().post("/auth/login", {"username": "koordinator", "password": "rahasia-123"}),
        401,
        "invalid_credentials",
    )


def test_rate_limit_per_ip(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "true")
    monkeypatch.setenv("ADUAN_API_RATE_CREATE_PER_IP", "3")
    client = Api(ip="10.9.8.7")
    statuses = [client.post("/reports", {**SMALLEST, "title": f"Laporan {i}"}).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = client.post("/reports", SMALLEST)
    is_problem(limited, 429, "rate_limited")
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert Report.objects.count() == 3
    assert Api(ip="10.9.8.8").post("/reports", SMALLEST).status_code == 201  # another address is not affected


def test_rate_limit_per_device(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "true")
    monkeypatch.setenv("ADUAN_API_RATE_CREATE_PER_DEVICE", "2")
    device = [
        Api(device="device-limit-0001", ip=f"10.1.1.{i}").post("/reports", SMALLEST).status_code
        for i in range(3)
    ]
    assert device == [201, 201, 429]


def test_wrong_and_revoked_tokens(koordinator) -> None:  # type: ignore[no-untyped-def]
    is_problem(Api(token="adn_not-a-token").get("/reports"), 401, "invalid_token")
    is_problem(Api().get("/reports"), 401, "authentication_required")
    token = token_for(koordinator)
    assert Api(token=token).get("/reports").status_code == 200
    koordinator.api_tokens.update(revoked=True)
    is_problem(Api(token=token).get("/reports"), 401, "invalid_token")


def test_integration_token_channel_and_staff_are_not_rate_limited(
    koordinator, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "true")
    monkeypatch.setenv("ADUAN_API_RATE_CREATE_PER_IP", "1")
    system = Api(token=token_for(koordinator, channel="staff"), ip="10.2.2.2")
    channels = [system.post("/reports", SMALLEST).json()["channel"] for _ in range(2)]
    assert channels == ["staff", "staff"]


def test_directory_codes(api: Api) -> None:
    categories = api.get("/categories").json()
    assert any(c["code"] == "kesehatan" and c["parent"] is None for c in categories)
    assert any(c["parent"] == "kesehatan" for c in categories)
    kecamatan = api.get("/regions").json()
    assert len(kecamatan) == 21 and {r["level"] for r in kecamatan} == {3}
    assert any(r["code"] == "35.02.17" and r["name"].lower() == "ponorogo" for r in kecamatan)
    desa = api.get("/regions", parent="35.02.17").json()
    assert desa and all(r["code"].startswith("35.02.17.") and r["level"] == 4 for r in desa)
    is_problem(api.get("/regions", parent="12.34"), 404, "unknown_region")
    agencies = {a["code"]: a for a in api.get("/agencies").json()}
    assert agencies["dinkes"]["kind"] == "opd" and agencies["inspektorat"]["kind"] == "apip"


def test_openapi_schema_docs_and_unknown_routes(api: Api) -> None:
    schema = api.client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/reports",
        "/api/v1/reports/{tracking_number}",
        "/api/v1/reports/{tracking_number}/actions/verify",
        "/api/v1/categories",
        "/api/v1/regions",
        "/api/v1/agencies",
    ):
        assert path in schema["paths"], path
    content = schema["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in content
    assert {"kind", "title", "description", "region"} <= set(
        content["application/json"]["schema"]["required"]
    )
    docs = api.client.get("/api/docs")
    assert docs.status_code == 200 and b"/api/v1/openapi.json" in docs.content
    is_problem(api.client.get("/api/v2/whatever"), 404, "not_found")
    is_problem(api.client.get("/api/v1/nothing-here"), 404, "not_found")
    wrong_method = api.client.delete("/api/v1/categories")
    is_problem(wrong_method, 405, "method_not_allowed")
    assert wrong_method["Allow"] == "GET"


def test_the_create_body_is_json_even_for_an_idempotent_replay_after_restart(api: Api) -> None:
    first = api.post("/reports", SMALLEST, {"Idempotency-Key": "k1"})
    stored = IdempotencyRecord.objects.get()
    assert stored.response == json.loads(first.content)


def test_guessing_access_codes_is_cut_off(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "true")
    monkeypatch.setenv("ADUAN_API_RATE_ACCESS_CODE_FAILURES_PER_IP", "2")
    created = Api(ip="10.3.3.3").post("/reports", SMALLEST).json()
    guesser = Api(ip="10.4.4.4")
    path = f"/reports/{created['tracking_number']}"
    codes = [guesser.get(path, headers={"X-Access-Code": f"AAAA-AAA{i}"}).status_code for i in range(3)]
    assert codes == [404, 404, 429]
    # Even the right code is refused from that address for this report for the rest of the window;
    # others are not affected.
    is_problem(guesser.get(path, headers={"X-Access-Code": created["access_code"]}), 429, "rate_limited")
    assert Api(ip="10.5.5.5").get(path, headers={"X-Access-Code": created["access_code"]}).status_code == 200
    # Behind the guesser's carrier NAT, another citizen still opens their own report with its code,
    # as often as they like: only failures count, per report.
    own = Api(ip="10.3.3.3").post("/reports", {**SMALLEST, "title": "Punya saya"}).json()
    for _ in range(4):
        mine = guesser.get(
            f"/reports/{own['tracking_number']}", headers={"X-Access-Code": own["access_code"]}
        )
        assert mine.status_code == 200


def test_a_citizen_token_gets_404_for_someone_elses_report_as_for_a_missing_one(db: None) -> None:
    from aduan.accounts.models import User

    User.objects.create_user(username="warga-a", password="rahasia-123", role="citizen")
    token = Api().post("/auth/login", {"username": "warga-a", "password": "rahasia-123"}).json()["token"]
    citizen = Api(token=token)
    others = Api().post("/reports", {**SMALLEST, "title": "Laporan orang lain"}).json()["tracking_number"]
    existing = citizen.get(f"/reports/{others}")
    missing = citizen.get("/reports/0000-000000")
    assert is_problem(existing, 404, "report_not_found") == is_problem(missing, 404, "report_not_found")
    acted = citizen.act(others, "reply", {"text": "x"})
    assert is_problem(acted, 404, "report_not_found") == is_problem(
        citizen.act("0000-000000", "reply", {"text": "x"}), 404, "report_not_found"
    )


def test_a_citizen_token_in_bulk_gets_404_for_someone_elses_report_as_for_a_missing_one(db: None) -> None:
    from aduan.accounts.models import User

    User.objects.create_user(username="warga-a", password="rahasia-123", role="citizen")
    token = Api().post("/auth/login", {"username": "warga-a", "password": "rahasia-123"}).json()["token"]
    citizen = Api(token=token)
    others = Api().post("/reports", {**SMALLEST, "title": "Laporan orang lain"}).json()["tracking_number"]
    answer = citizen.post(
        "/reports/actions/reply", {"reports": [others, "0000-000000"], "params": {"text": "x"}}
    )
    assert answer.status_code == 200, answer.content
    existing, missing = answer.json()["results"]
    assert (existing["status"], existing["problem"]) == (missing["status"], missing["problem"])
    assert existing["status"] == 404 and existing["problem"]["code"] == "report_not_found"
