"""Outbound SMS: `send_sms(to, text)` for the notifications outbox, through the configured backend.

ADUAN_SMS_BACKEND = console (development: logs the text), gammu (Gammu SMSD's outbox table), or
http (POST JSON to ADUAN_SMS_HTTP_URL, signed like the inbound webhook). Raise SmsSendError on
any failure so the outbox keeps the message and retries it; never call this inside a transaction
whose rollback would have to "unsend" the SMS.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import urllib.error
import urllib.request
import uuid

from aduan.channels import conf, gammu
from aduan.channels.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from aduan.core.errors import InvalidInput
from aduan.core.http import parse_json
from aduan.intake.services import normalize_phone

logger = logging.getLogger(__name__)


class SmsSendError(Exception):
    """The SMS was not handed over; the caller may retry later."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def send_sms(to_e164: str, text: str) -> str:
    """Hand one SMS to the configured backend; returns the provider's message id."""
    try:
        number = normalize_phone(to_e164)
    except InvalidInput as exc:
        raise SmsSendError(str(exc), retryable=False) from None
    if not number:
        raise SmsSendError("no recipient number", retryable=False)
    if not text or not text.strip():
        raise SmsSendError("empty text", retryable=False)
    backend = conf.sms_backend()
    if backend == "console":
        return _send_console(number, text)
    if backend == "gammu":
        return _send_gammu(number, text)
    if backend == "http":
        return _send_http(number, text)
    raise SmsSendError(f"unknown SMS backend {backend!r}", retryable=False)


def _send_console(number: str, text: str) -> str:
    message_id = f"console:{uuid.uuid4().hex[:12]}"
    # Like Django's console email backend: the development backend prints the message itself
    # (to stderr, not the log, so confirmation access codes never reach a log file).
    print(f"[SMS {message_id}] to {number}: {text}", file=sys.stderr)
    return message_id


def _send_gammu(number: str, text: str) -> str:
    try:
        db = gammu.connect()
    except Exception as exc:
        raise SmsSendError(f"Gammu database unavailable: {exc}") from exc
    try:
        with db.transaction():
            outbox_id = gammu.queue_sms(db, number, text)
    except Exception as exc:
        raise SmsSendError(f"could not queue SMS in Gammu's outbox: {exc}") from exc
    finally:
        db.close()
    return f"gammu:{outbox_id}"


def _send_http(number: str, text: str) -> str:
    url = conf.sms_http_url()
    secret = conf.sms_http_secret()
    if not url:
        raise SmsSendError("ADUAN_SMS_HTTP_URL is not set", retryable=False)
    if not url.startswith(("http://", "https://")):
        raise SmsSendError("ADUAN_SMS_HTTP_URL must be an http(s) URL", retryable=False)
    message_id = uuid.uuid4().hex
    body = json.dumps({"to": number, "text": text, "id": message_id}, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp, "User-Agent": "Aduan-SMS/1"}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, timestamp, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=conf.sms_http_timeout()) as response:  # noqa: S310
            status = response.status
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        # 4xx other than 408/429 will not get better by retrying the same request.
        retryable = exc.code >= 500 or exc.code in (408, 429)
        raise SmsSendError(f"SMS gateway answered HTTP {exc.code}", retryable=retryable) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SmsSendError(f"SMS gateway unreachable: {exc}") from exc
    if not 200 <= status < 300:
        raise SmsSendError(f"SMS gateway answered HTTP {status}")
    try:
        answer = parse_json(raw) if raw else {}
    except ValueError:
        answer = {}
    provider_id = answer.get("id") if isinstance(answer, dict) else None
    return str(provider_id) if provider_id else f"http:{message_id}"
