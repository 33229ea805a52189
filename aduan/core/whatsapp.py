"""Outbound WhatsApp text through the WhatsApp Business Cloud API (Graph API `/<phone id>/messages`).

Infrastructure the notifications outbox uses, like an SMS backend. Configured by
ADUAN_WHATSAPP_ACCESS_TOKEN and ADUAN_WHATSAPP_PHONE_NUMBER_ID (ADUAN_WHATSAPP_API_URL for another
Graph version or a test server); `configured()` is False without them. Meta delivers free text only
within 24 hours of the citizen's last message; outside it the API refuses (an approved template
message would be needed), and the outbox records the failure.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from aduan import env
from aduan.core.http import parse_json


class WhatsAppSendError(Exception):
    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or env.env_str(name, default))


def configured() -> bool:
    return bool(_setting("ADUAN_WHATSAPP_ACCESS_TOKEN") and _setting("ADUAN_WHATSAPP_PHONE_NUMBER_ID"))


def send_whatsapp(to_e164: str, text: str) -> str:
    """Send one text message; returns the `wamid` Meta gives it."""
    base = _setting("ADUAN_WHATSAPP_API_URL", "https://graph.facebook.com/v20.0").rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise WhatsAppSendError("ADUAN_WHATSAPP_API_URL must be an http(s) URL", retryable=False)
    url = f"{base}/{_setting('ADUAN_WHATSAPP_PHONE_NUMBER_ID')}/messages"
    body = json.dumps(
        {"messaging_product": "whatsapp", "to": to_e164.lstrip("+"), "type": "text", "text": {"body": text}}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {_setting('ADUAN_WHATSAPP_ACCESS_TOKEN')}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = parse_json(response.read(64 * 1024) or b"{}")
    except urllib.error.HTTPError as exc:
        retryable = exc.code >= 500 or exc.code in (408, 429)
        raise WhatsAppSendError(f"WhatsApp API answered HTTP {exc.code}", retryable=retryable) from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise WhatsAppSendError(f"WhatsApp API unreachable: {exc}") from exc
    messages = answer.get("messages") if isinstance(answer, dict) else None
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        return str(messages[0].get("id", ""))
    return ""
