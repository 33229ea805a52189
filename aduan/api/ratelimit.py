"""Fixed-window rate limits in Django's cache, per client IP and per device."""

from __future__ import annotations

from aduan.accounts import ratelimit as throttle
from aduan.accounts.conf import AttemptLimit
from aduan.api import conf
from aduan.api.clients import Client
from aduan.api.problems import ApiProblem


def _too_many(limit: AttemptLimit, what: str) -> ApiProblem:
    """429 rate_limited, with the seconds until the window ends in the message and Retry-After."""
    retry_after = throttle.retry_after(limit)
    return ApiProblem(
        429,
        "rate_limited",
        f"Terlalu banyak {what}; coba lagi dalam {retry_after} detik.",
        headers={"Retry-After": str(retry_after)},
    )


def _hit(bucket: str, ident: str, attempts: int, window: int) -> None:
    limit = AttemptLimit(attempts, window)
    if throttle.count(f"api-{bucket}", ident, limit) > attempts:
        raise _too_many(limit, "permintaan")


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
        raise _too_many(limit, "percobaan yang salah")


def secret_failed(client: Client, subject: str) -> None:
    """One wrong access code (or unknown report) or password for `subject` from this address."""
    limit = _secret_limit()
    if limit is not None:
        throttle.count("api-secret", _secret_key(client, subject), limit)
