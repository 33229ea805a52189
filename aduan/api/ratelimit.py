"""Fixed-window rate limits in Django's cache, per client IP and per device."""

from __future__ import annotations

import time

from django.core.cache import caches

from aduan.api import conf
from aduan.api.clients import Client
from aduan.api.problems import ApiProblem


def _hit(bucket: str, ident: str, limit: int, window: int, *, check_only: bool = False) -> None:
    cache = caches["ratelimit"]
    now = time.time()
    slot = int(now // window)
    key = f"aduan:rl:{bucket}:{ident}:{slot}"
    if check_only:
        # Counting failures elsewhere: once `limit` have happened, the next attempt is refused.
        count = cache.get(key, 0) + 1
    else:
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        retry_after = max(1, int((slot + 1) * window - now) + 1)
        raise ApiProblem(
            429,
            "rate_limited",
            f"Terlalu banyak permintaan; coba lagi dalam {retry_after} detik.",
            headers={"Retry-After": str(retry_after)},
        )


def check_create(client: Client) -> None:
    """Report creations: per IP and, for app installs without an account, per device."""
    limits = conf.rate_limits()
    if not limits.enabled or client.is_staff:
        return
    _hit("create-ip", client.ip, limits.create_per_ip, limits.window_seconds)
    if client.device_id:
        _hit("create-device", client.scope, limits.create_per_device, limits.window_seconds)


def check_read(client: Client) -> None:
    limits = conf.rate_limits()
    if not limits.enabled or client.is_staff:
        return
    _hit("read-ip", client.ip, limits.read_per_ip, limits.window_seconds)
    # Guessing access codes: refuse early once an address has failed too often.
    _hit("code-fail", client.ip, limits.access_code_failures_per_ip, limits.window_seconds, check_only=True)


def count_access_code_failure(client: Client) -> None:
    """A wrong access code or password: counted so that guessing is cut off (see check_read)."""
    limits = conf.rate_limits()
    if limits.enabled:
        _hit("code-fail", client.ip, 2**31, limits.window_seconds)


def check_login(client: Client) -> None:
    limits = conf.rate_limits()
    if limits.enabled:
        _hit(
            "code-fail", client.ip, limits.access_code_failures_per_ip, limits.window_seconds, check_only=True
        )
