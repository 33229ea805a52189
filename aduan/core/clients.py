"""Where a request comes from, for rate limits and logs, the same way in every interface."""

from __future__ import annotations

from django.http import HttpRequest

from aduan.env import env_str


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind a reverse proxy the first address of ADUAN_CLIENT_IP_HEADER (e.g.
    X-Forwarded-For): set it only when the proxy overwrites that header, since clients can send it."""
    header = env_str("ADUAN_CLIENT_IP_HEADER")
    if header:
        forwarded = request.headers.get(header, "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")[:45]
