"""The HMAC scheme shared by the SMS webhook (inbound) and the HTTP SMS backend (outbound):
X-Aduan-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">, X-Aduan-Timestamp: unix seconds."""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Aduan-Timestamp"
SIGNATURE_HEADER = "X-Aduan-Signature"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature.strip().lower())


def hub_signature_matches(app_secret: str, body: bytes, signature: str) -> bool:
    """WhatsApp Cloud API (Meta) style: X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={digest}", signature.strip().lower())
