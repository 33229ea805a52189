"""Malformed input on the SMS and WhatsApp webhooks: a 4xx in its own format, or the message kept with outcome
`error` for staff, never a 500 (issue 12)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.test import Client

from aduan.channels.models import InboundMessage, Outcome
from aduan.intake.models import Report
from tests.channels.conftest import signed_post
from tests.channels.test_whatsapp import APP_SECRET, cloud_api_payload

pytestmark = pytest.mark.django_db


def test_an_sms_with_a_lone_surrogate_is_kept_with_outcome_error(webhook_secret: str) -> None:
    payload = {"from": "+6281234567890", "text": "LAPOR Jalan \ud83d rusak", "id": "gw-surrogate"}
    response = signed_post(Client(), payload)
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == Outcome.ERROR and response.json()["reply"]
    message = InboundMessage.objects.get(gateway_id="gw-surrogate")
    assert message.outcome == Outcome.ERROR and message.error_code == "invalid_characters"
    assert message.text == "LAPOR Jalan \ufffd rusak"  # kept for staff, readable
    assert Report.objects.count() == 0
    # The gateway's retry gets the same answer, nothing twice.
    again = signed_post(Client(), payload, timestamp=int(time.time()) - 10)  # signed afresh
    assert again.json()["duplicate"] is True and InboundMessage.objects.count() == 1


def test_an_sms_with_nul_in_its_sender_or_id_is_kept(webhook_secret: str) -> None:
    payload = {"from": "+62812\x0034567890", "text": "LAPOR Jalan rusak", "id": "gw-\x00"}
    response = signed_post(Client(), payload)
    assert response.status_code == 200, response.content
    message = InboundMessage.objects.get()
    assert message.outcome == Outcome.ERROR and "\x00" not in message.sender + message.gateway_id


def test_an_sms_body_nested_too_deep_is_invalid_json(webhook_secret: str) -> None:
    raw = b"[" * 20_000 + b"]" * 20_000  # within the webhook's 64 KB
    response = signed_post(Client(), None, raw=raw)
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"
    # 50,000 deep is over the webhook's 64 KB: refused before it is even read as JSON.
    deeper = signed_post(Client(), None, raw=b"[" * 50_000 + b"]" * 50_000)
    assert deeper.status_code == 413 and deeper.json()["error"] == "payload_too_large"
    assert not InboundMessage.objects.exists()


def whatsapp_post(settings: Any, raw: bytes) -> Any:
    settings.ADUAN_WHATSAPP_APP_SECRET = APP_SECRET
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return Client().post(
        "/whatsapp/webhook",
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def test_a_whatsapp_body_nested_too_deep_is_invalid_json(settings: Any) -> None:
    response = whatsapp_post(settings, b"[" * 20_000 + b"]" * 20_000)
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"


def test_a_whatsapp_text_with_a_lone_surrogate_is_kept_with_outcome_error(settings: Any) -> None:
    raw = json.dumps(cloud_api_payload("Lampu mati \udc80 di pasar", message_id="wamid.bad")).encode()
    response = whatsapp_post(settings, raw)
    assert response.status_code == 200, response.content
    assert [m["outcome"] for m in response.json()["messages"]] == [Outcome.ERROR]
    message = InboundMessage.objects.get(gateway_id="wamid.bad")
    assert message.error_code == "invalid_characters" and message.text == "Lampu mati \ufffd di pasar"
    assert Report.objects.count() == 0
