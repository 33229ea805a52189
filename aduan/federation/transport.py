"""The one seam between this installation and its peers: HTTP out (identity, directory, signed
messages) and the check of a signed message in. Everything else in aduan.federation speaks in
dicts and Peer rows, so another transport (a queue, the national platform's bus) replaces this
module alone.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aduan.core import signing
from aduan.federation import conf
from aduan.federation.models import Peer

IDENTITY_PATH = "/api/federation/v1/identity"
DIRECTORY_PATH = "/api/federation/v1/directory"
MESSAGES_PATH = "/api/federation/v1/messages"
USER_AGENT = "Aduan-Federation/1"


class TransportError(Exception):
    """The peer could not be reached or answered something unusable (worth retrying)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def _check_scheme(url: str) -> None:
    # Peers are http(s) only: never file:// or another scheme urllib would open.
    if not url.startswith(("http://", "https://")):
        raise TransportError(f"{url}: not an http(s) address")


def fetch_json(url: str) -> dict[str, Any]:
    """GET a peer's public JSON document (identity, directory)."""
    _check_scheme(url)
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=conf.TIMEOUT_SECONDS) as response:  # noqa: S310
            data = json.loads(response.read(4 * 1024 * 1024))
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise TransportError(f"{url}: {error}") from None
    if not isinstance(data, dict):
        raise TransportError(f"{url}: not a JSON object")
    return data


def message_post(peer: Peer, *, message_id: str, body: bytes) -> Answer:
    """POST one message to a peer, signed now (core.signing); its answer, whatever the status."""
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    headers |= signing.message_sign(body=body, message_id=message_id)
    _check_scheme(peer.base_url)
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked just above)
        peer.base_url.rstrip("/") + MESSAGES_PATH, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=conf.TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read(1024 * 1024)
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read(1024 * 1024)
    except (urllib.error.URLError, OSError) as error:
        raise TransportError(str(error)) from None
    try:
        answer = json.loads(raw) if raw else {}
    except ValueError:
        answer = {}
    return Answer(status=status, body=answer if isinstance(answer, dict) else {})


class Refused(Exception):
    """An incoming message refused before it is read: HTTP status and a stable code."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def message_authenticate(headers: Mapping[str, str], body: bytes) -> tuple[Peer, str]:
    """The registered peer that signed this message and its id; Refused otherwise (401 for a
    missing, forged or stale signature or an unknown key, 403 for a disabled peer)."""
    if len(body) > conf.MAX_BODY_BYTES:
        raise Refused(413, "message_too_large")
    peer = Peer.objects.filter(key_id=headers.get(signing.HEADER_KEY_ID, "")[:16]).first()
    if peer is None:
        raise Refused(401, "unknown_peer")
    if peer.state != Peer.State.ACTIVE:
        raise Refused(403, "peer_disabled")
    try:
        message_id = signing.message_verify(
            headers=headers, body=body, public_key=signing.public_key_parse(peer.public_key)
        )
    except signing.SignatureError as error:
        raise Refused(401, error.code) from None
    return peer, message_id
