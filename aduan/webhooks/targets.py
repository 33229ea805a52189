"""Where a webhook may be sent: the guard against server-side request forgery (SSRF).

A subscription's URL is chosen by an agency admin, and the worker POSTs to it from inside the
government network: without this guard an OPD token could make the server talk to its own admin
pages, the database host or a cloud metadata address. So: https only (http only to loopback, or
when ADUAN_WEBHOOK_ALLOW_HTTP says so); no user:password@ in the URL; every address the host
resolves to must be public (not private, loopback, link-local, multicast, reserved, shared or
unspecified) unless ADUAN_WEBHOOK_ALLOW_PRIVATE says so. The check runs when the subscription is
made and again before each delivery, and the connection goes to the address that was checked
(a name that resolves elsewhere a second later — DNS rebinding — gains nothing).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from aduan.core.errors import InvalidInput

URL_MAX = 2000
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`), and what to say (`host`, `path`)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def _refuse(code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, field="url")


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int) -> list[Address]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise _refuse("webhook_url_unresolvable", f"Nama host {host!r} tidak dapat ditemukan.") from None
    found: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise _refuse("webhook_url_unresolvable", f"Nama host {host!r} tidak dapat ditemukan.")
    return found


def target_check(url: str) -> Target:
    """The URL as a Target the worker may connect to, or InvalidInput with a stable code:
    webhook_url_too_long, webhook_url_invalid, webhook_url_scheme, webhook_url_credentials,
    webhook_url_unresolvable, webhook_url_private."""
    if len(url) > URL_MAX:
        raise _refuse("webhook_url_too_long", f"Alamat penerima paling panjang {URL_MAX} karakter.")
    if not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise _refuse("webhook_url_invalid", "Alamat penerima tidak valid.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse("webhook_url_invalid", "Alamat penerima tidak valid.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise _refuse("webhook_url_scheme", "Alamat penerima harus https://.")
    if parts.username is not None or parts.password is not None:
        raise _refuse(
            "webhook_url_credentials", "Alamat penerima tidak boleh memuat nama pengguna atau kata sandi."
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _refuse("webhook_url_invalid", "Alamat penerima tidak valid.")
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port)
    allow_private = bool(getattr(settings, "ADUAN_WEBHOOK_ALLOW_PRIVATE", False))
    if not allow_private and not all(_is_public(a) for a in addresses):
        raise _refuse(
            "webhook_url_private",
            "Alamat penerima menunjuk ke jaringan privat atau lokal; hanya alamat publik yang diizinkan.",
        )
    if scheme == "http" and not getattr(settings, "ADUAN_WEBHOOK_ALLOW_HTTP", False):
        if not all(a.is_loopback for a in addresses):
            raise _refuse("webhook_url_scheme", "Alamat penerima harus https://.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))
