"""Fixed-window rate limits in Django's cache, per client IP and per device."""

from __future__ import annotations

import time

from django.core.cache import caches

from aduan.accounts import ratelimit as throttle
from aduan.accounts.conf import AttemptLimit
from aduan.api import conf
from aduan.api.clients import Client
from aduan.api.problems import ApiProblem


def _hit(bucket: str, ident: str, limit: int, window: int) -> None:
    cache = caches["ratelimit"]
    now = time.time()
    slot = int(now // window)
    key = f"aduan:rl:{bucket}:{ident}:{slot}"
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


def _secret_limit() -> AttemptLimit | None:
    limits = conf.rate_limits()
    if not limits.enabled:
        return None
    return AttemptLimit(limits.access_code_failures_per_ip, limits.window_seconds)


def _secret_key(client: Client, subject: str) -> str:
    # Per subject (a tracking number, an account) and address: guessing one report's code or one
    # account's password is cut off, while the other citizens behind the same carrier NAT keep
    # using their right codes and passwords.
    return f"{subject.strip().lower()}|{client.ip}"


def check_secret(client: Client, subject: str) -> None:
    """429 once this address has spent the window's budget of wrong codes/passwords for `subject`."""
    limit = _secret_limit()
    if limit is not None and throttle.exhausted("api-secret", _secret_key(client, subject), limit):
        retry_after = throttle.retry_after(limit)
        raise ApiProblem(
            429,
            "rate_limited",
            f"Terlalu banyak percobaan yang salah; coba lagi dalam {retry_after} detik.",
            headers={"Retry-After": str(retry_after)},
        )


def secret_failed(client: Client, subject: str) -> None:
    """One wrong access code (or unknown report) or password for `subject` from this address."""
    limit = _secret_limit()
    if limit is not None:
        throttle.count("api-secret", _secret_key(client, subject), limit)
