"""WhatsApp Business Cloud API webhook: GET verification, POST signed with X-Hub-Signature-256."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.test import Client

from aduan.intake.models import Report

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.channels.urls")]
APP_SECRET = "rahasia-aplikasi-meta"


@pytest.fixture(autouse=True)
def _whatsapp(settings: Any) -> None:
    settings.ADUAN_WHATSAPP_VERIFY_TOKEN = "token-verifikasi"
    settings.ADUAN_WHATSAPP_APP_SECRET = APP_SECRET


def cloud_api_payload(
    text: str, message_id: str = "wamid.HBgN1", sent_at: int | None = None
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1234",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "62352481000", "phone_number_id": "5555"},
                            "contacts": [{"profile": {"name": "Siti"}, "wa_id": "6281234567890"}],
                            "messages": [
                                {
                                    "from": "6281234567890",
                                    "id": message_id,
                                    "timestamp": str(int(time.time()) if sent_at is None else sent_at),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def post(client: Client, payload: Any, secret: str = APP_SECRET) -> Any:
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/whatsapp/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def test_verification_echoes_the_challenge(client: Client) -> None:
    ok = client.get(
        "/whatsapp/webhook",
        {"hub.mode": "subscribe", "hub.verify_token": "token-verifikasi", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    bad = client.get(
        "/whatsapp/webhook", {"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "1"}
    )
    assert bad.status_code == 403


def test_signed_message_creates_a_whatsapp_report_once(client: Client) -> None:
    response = post(client, cloud_api_payload("LAPOR Banjir di Kelurahan Tamanarum"))
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.channel == "whatsapp"
    assert report.reporter is not None and report.reporter.phone == "+6281234567890"
    assert response.json() == {"messages": [{"outcome": "report_created", "duplicate": False}]}
    # The reply (with the access code) waits on the message for the outbox; never in the answer.
    assert report.tracking_number in report.inbound_messages.get().reply
    # Meta retries until it gets a 200: the same wamid in a new delivery is not taken in twice.
    again = post(client, {**cloud_api_payload("LAPOR Banjir di Kelurahan Tamanarum"), "object": "retry"})
    assert again.json() == {"messages": [{"outcome": "report_created", "duplicate": True}]}
    assert Report.objects.count() == 1


def test_a_replayed_signed_body_is_refused_and_tells_nothing(client: Client) -> None:
    payload = cloud_api_payload("LAPOR Lampu jalan mati di Jl. Pramuka", message_id="wamid.R1")
    first = post(client, payload)
    assert first.status_code == 200 and Report.objects.count() == 1
    code_and_number = Report.objects.get().tracking_number
    for _ in range(2):
        replay = post(client, payload)
        assert replay.status_code == 200 and replay.json() == {"messages": [], "replayed": True}
        assert code_and_number not in replay.content.decode()
    assert Report.objects.count() == 1


def test_a_message_older_than_metas_retry_window_is_not_taken_in(client: Client) -> None:
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    response = post(
        client, cloud_api_payload("LAPOR Jalan rusak", message_id="wamid.OLD", sent_at=eight_days_ago)
    )
    assert response.status_code == 200 and response.json() == {"messages": []}
    assert not Report.objects.exists()


def test_wrong_or_missing_signature_is_refused(client: Client) -> None:
    assert post(client, cloud_api_payload("LAPOR x"), secret="palsu").status_code == 401
    unsigned = client.post(
        "/whatsapp/webhook", data=cloud_api_payload("LAPOR x"), content_type="application/json"
    )
    assert unsigned.status_code == 401
    assert not Report.objects.exists()


def test_status_updates_and_media_are_accepted_without_reports(client: Client) -> None:
    payload = cloud_api_payload("x")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["type"] = "image"
    response = post(client, payload)
    assert response.status_code == 200 and response.json() == {"messages": []}
    assert not Report.objects.exists()
