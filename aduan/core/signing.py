"""The installation's Ed25519 key pair and the one signature scheme for messages it sends.

Federation messages to peer installations and outbound webhooks to agency systems are signed the
same way, so that a receiver (another Aduan, the national platform, an agency's system) verifies
both with one piece of code:

    Aduan-Key-Id:     the first 16 hex digits of SHA-256 over the raw 32-byte public key
    Aduan-Message-Id: a unique id the receiver applies once (UUID)
    Aduan-Timestamp:  seconds since the epoch (UTC) when the message was signed
    Aduan-Signature:  base64url (no padding) Ed25519 signature over
                      b"aduan-v1\\n" + timestamp + b"\\n" + message id + b"\\n" + hex(SHA-256(body))

The private key lives in a file under the data directory (created on first use, mode 0600) and is
part of `aduan backup`; ADUAN_INSTANCE_KEY_FILE points elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

SCHEME = b"aduan-v1"
HEADER_KEY_ID = "Aduan-Key-Id"
HEADER_MESSAGE_ID = "Aduan-Message-Id"
HEADER_TIMESTAMP = "Aduan-Timestamp"
HEADER_SIGNATURE = "Aduan-Signature"
# A message signed longer ago (or further ahead) than this is refused: with the message id this
# bounds how long a receiver must remember ids to refuse replays.
MAX_SKEW_SECONDS = 300
MESSAGE_ID_MAX = 64


class SignatureError(Exception):
    """A message whose signature does not hold; `code` is the stable machine code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def key_file() -> Path:
    return Path(settings.ADUAN_INSTANCE_KEY_FILE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@cache
def _private_key(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Written whole under a temporary name, then linked into place: link() fails when the
        # file exists, so two processes (or threads) starting at once never each use their own
        # key, and neither ever reads a half-written one.
        fd, temporary = tempfile.mkstemp(dir=file.parent, prefix=".instance-key-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
            os.link(temporary, file)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{file} does not hold an Ed25519 private key")
    return key


def instance_private_key() -> Ed25519PrivateKey:
    return _private_key(str(key_file()))


def public_key_text(key: Ed25519PublicKey | None = None) -> str:
    """The public key as base64url of its raw 32 bytes (how peers and agencies register it)."""
    key = key or instance_private_key().public_key()
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def public_key_parse(text: str) -> Ed25519PublicKey:
    """A public key from its text form; ValueError when it is not one."""
    try:
        raw = _unb64(text.strip())
    except (ValueError, UnicodeEncodeError):
        raise ValueError("not base64url") from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(public_text: str) -> str:
    return hashlib.sha256(_unb64(public_text)).hexdigest()[:16]


def _signed_bytes(timestamp: str, message_id: str, body: bytes) -> bytes:
    return b"\n".join(
        (SCHEME, timestamp.encode(), message_id.encode(), hashlib.sha256(body).hexdigest().encode())
    )


def message_sign(*, body: bytes, message_id: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers that sign `body` as message `message_id` from this installation."""
    stamp = str(int(time.time() if timestamp is None else timestamp))
    signature = instance_private_key().sign(_signed_bytes(stamp, message_id, body))
    return {
        HEADER_KEY_ID: key_id(public_key_text()),
        HEADER_MESSAGE_ID: message_id,
        HEADER_TIMESTAMP: stamp,
        HEADER_SIGNATURE: _b64(signature),
    }


def message_verify(
    *, headers: Mapping[str, str], body: bytes, public_key: Ed25519PublicKey, now: float | None = None
) -> str:
    """The message id of a message signed by `public_key`; SignatureError otherwise.

    `headers` is looked up case-insensitively as HTTP headers are (Django's request.headers is).
    Remembering the id to refuse a replay within the skew window is the receiver's job.
    """
    message_id = headers.get(HEADER_MESSAGE_ID, "")
    stamp = headers.get(HEADER_TIMESTAMP, "")
    signature = headers.get(HEADER_SIGNATURE, "")
    if not message_id or not stamp or not signature:
        raise SignatureError("signature_missing")
    if len(message_id) > MESSAGE_ID_MAX or not message_id.isascii() or not message_id.isprintable():
        raise SignatureError("message_id_invalid")
    if not stamp.isdigit() or len(stamp) > 12:
        raise SignatureError("timestamp_invalid")
    if abs((time.time() if now is None else now) - int(stamp)) > MAX_SKEW_SECONDS:
        raise SignatureError("timestamp_out_of_window")
    try:
        public_key.verify(_unb64(signature), _signed_bytes(stamp, message_id, body))
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        raise SignatureError("signature_invalid") from None
    return message_id
