"""POST /sms/inbound: signed by HMAC-SHA256 of "<timestamp>.<body>"; everything else is refused."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from aduan.channels.models import InboundMessage
from aduan.channels.signing import sign
from aduan.intake.models import Report
from tests.channels.conftest import SECRET, signed_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.channels.urls")]
MESSAGE = {"from": "+6281234567890", "text": "LAPOR Jembatan di Desa Sawoo retak", "id": "gw-100"}


def test_signed_request_creates_a_report_and_answers_the_reply(webhook_secret: str) -> None:
    # A gateway has no CSRF token: the endpoint must accept it with CSRF checks on.
    response = signed_post(Client(enforce_csrf_checks=True), MESSAGE)
    assert response.status_code == 200
    body = response.json()
    report = Report.objects.get()
    assert report.channel == "sms"
    assert body["tracking_number"] == report.tracking_number
    assert report.tracking_number in body["reply"] and "kode akses" in body["reply"]
    assert body["duplicate"] is False


def test_unsigned_request_is_refused(
    client: Client, webhook_secret: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.post("/sms/inbound", data=MESSAGE, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"] == "signature_missing"
    assert not Report.objects.exists() and not InboundMessage.objects.exists()
    assert any("signature_missing" in record.getMessage() for record in caplog.records)


def test_wrong_signature_is_refused(client: Client, webhook_secret: str) -> None:
    response = signed_post(client, MESSAGE, secret="bukan-rahasia-yang-benar")
    assert response.status_code == 401
    assert response.json()["error"] == "signature_invalid"
    # A body changed after signing is refused too.
    ts = str(int(time.time()))
    signature = sign(SECRET, ts, json.dumps(MESSAGE).encode())
    tampered = json.dumps({**MESSAGE, "text": "LAPOR palsu"}).encode()
    response = signed_post(
        client, None, raw=tampered, headers={"X-Aduan-Timestamp": ts, "X-Aduan-Signature": signature}
    )
    assert response.status_code == 401
    assert not Report.objects.exists()


# A few seconds past the 300 s limit: whole-second timestamps and the request time must not matter.
@pytest.mark.parametrize("skew", [-305, 305, -3600])
def test_stale_timestamp_is_refused(client: Client, webhook_secret: str, skew: int) -> None:
    response = signed_post(client, MESSAGE, timestamp=int(time.time()) + skew)
    assert response.status_code == 401
    assert response.json()["error"] == "timestamp_stale"
    assert not Report.objects.exists()


def test_replayed_request_is_refused_and_only_the_first_creates_a_report(
    client: Client, webhook_secret: str
) -> None:
    body = json.dumps(MESSAGE).encode()
    ts = str(int(time.time()))
    headers = {"X-Aduan-Timestamp": ts, "X-Aduan-Signature": sign(SECRET, ts, body)}
    first = signed_post(client, None, raw=body, headers=headers)
    replay = signed_post(client, None, raw=body, headers=headers)
    assert first.status_code == 200
    assert replay.status_code == 403 and replay.json()["error"] == "replayed"
    assert Report.objects.count() == 1


def test_gateway_retry_with_a_fresh_signature_gets_the_same_reply(
    client: Client, webhook_secret: str
) -> None:
    first = signed_post(client, MESSAGE, timestamp=int(time.time()) - 5)
    retry = signed_post(client, MESSAGE)
    assert first.status_code == retry.status_code == 200
    assert retry.json()["reply"] == first.json()["reply"]
    assert retry.json()["duplicate"] is True
    assert Report.objects.count() == 1


def test_without_a_configured_secret_everything_is_refused(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ADUAN_SMS_WEBHOOK_SECRET = ""
    response = signed_post(client, MESSAGE, secret="")
    assert response.status_code == 503
    assert response.json()["error"] == "webhook_not_configured"
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"not json", "invalid_json"),
        (json.dumps({"from": "+6281234567890", "text": "x"}).encode(), "invalid_payload"),
        (json.dumps(["a"]).encode(), "invalid_payload"),
        (json.dumps({"from": "", "text": "x", "id": "1"}).encode(), "invalid_payload"),
    ],
)
def test_bad_payloads_get_a_clear_error(client: Client, webhook_secret: str, raw: bytes, error: str) -> None:
    response = signed_post(client, None, raw=raw)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert not Report.objects.exists()


def test_oversized_body_is_refused(client: Client, webhook_secret: str) -> None:
    response = signed_post(client, {**MESSAGE, "text": "x" * 70_000})
    assert response.status_code == 413
    assert not Report.objects.exists()


def test_invalid_number_is_answered_with_no_reply(client: Client, webhook_secret: str) -> None:
    response = signed_post(client, {**MESSAGE, "from": "INFO-OPERATOR"})
    assert response.status_code == 200
    assert response.json()["reply"] == "" and response.json()["outcome"] == "invalid_sender"
    assert not Report.objects.exists()


def test_get_is_not_allowed(client: Client, webhook_secret: str) -> None:
    assert client.get("/sms/inbound").status_code == 405
