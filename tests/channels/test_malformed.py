"""Malformed input on the SMS webhook: a 4xx in its own format, or the message kept with outcome
`error` for staff, never a 500 (issue 12)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from aduan.channels.models import InboundMessage, Outcome
from aduan.intake.models import Report
from tests.channels.conftest import signed_post

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
