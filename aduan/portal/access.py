"""Who the portal's visitor is: the reports they proved are theirs, their device, their IP budget."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

from aduan.accounts import ratelimit
from aduan.accounts.conf import AttemptLimit
from aduan.core.actors import Actor
from aduan.core.clients import client_ip
from aduan.core.roles import Role
from aduan.portal import conf

if TYPE_CHECKING:
    from aduan.accounts.models import User

SESSION_REPORTS = "portal_report_ids"
SESSION_CONFIRMATION = "portal_confirmation"
DEVICE_COOKIE = "aduan_perangkat"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
_MAX_REMEMBERED = 50


def citizen_user(request: HttpRequest) -> User | None:
    """The signed-in user when it is a citizen account (staff using the portal count as guests)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "role", "") == Role.CITIZEN:
        return user
    return None


def proven_report_ids(request: HttpRequest) -> frozenset[int]:
    return frozenset(int(pk) for pk in request.session.get(SESSION_REPORTS, []))


def remember_report(request: HttpRequest, report_id: int) -> None:
    """Keep the proof of access (a correct code, or having just submitted) for this session."""
    ids = [pk for pk in request.session.get(SESSION_REPORTS, []) if pk != report_id]
    request.session[SESSION_REPORTS] = [report_id, *ids][:_MAX_REMEMBERED]


def citizen_actor(request: HttpRequest) -> Actor:
    """The citizen actor for reads: every report proven in this session, plus the account's own."""
    return Actor(
        role=Role.CITIZEN, user=citizen_user(request), report_ids=proven_report_ids(request), label="Pelapor"
    )


def _track_key(request: HttpRequest, tracking_number: str) -> str:
    # Per report and address: guessing one report's code stops after the budget, while the other
    # citizens behind the same carrier NAT still open their own reports with their right codes.
    return f"{tracking_number.strip().upper()}|{client_ip(request)}"


def track_blocked(request: HttpRequest, tracking_number: str) -> bool:
    """True once this address spent the window's budget of wrong codes for this tracking number."""
    return ratelimit.exhausted("track", _track_key(request, tracking_number), conf.track_limit())


def track_failed(request: HttpRequest, tracking_number: str) -> None:
    """Count one wrong code (or unknown number) for this tracking number from this address."""
    ratelimit.count("track", _track_key(request, tracking_number), conf.track_limit())


def recover_ip_blocked(request: HttpRequest) -> bool:
    """True once this address spent the window's budget of "lupa kode akses" requests."""
    return ratelimit.exhausted("recover-ip", client_ip(request), conf.track_limit())


def recover_ip_counted(request: HttpRequest) -> None:
    """Count one "lupa kode akses" request from this address."""
    ratelimit.count("recover-ip", client_ip(request), conf.track_limit())


def _recover_buckets(tracking_number: str, contact: str) -> list[tuple[str, str]]:
    # Per report and per phone number or e-mail address (ratelimit hashes every key: no contact
    # ends up in a cache key as written).
    return [("recover-report", tracking_number), ("recover-contact", contact.lower())]


def _recover_limit() -> AttemptLimit:
    # Built on each call, so an operator's or a test's change applies.
    return AttemptLimit(conf.RECOVER_ATTEMPTS, conf.RECOVER_WINDOW_SECONDS)


def recover_blocked(tracking_number: str, contact: str) -> bool:
    """True once this report, or this contact, was sent the window's budget of new access codes."""
    limit = _recover_limit()
    return any(ratelimit.exhausted(b, k, limit) for b, k in _recover_buckets(tracking_number, contact))


def recover_counted(tracking_number: str, contact: str) -> None:
    """Count one new access code asked for this report and this contact (matching or not)."""
    limit = _recover_limit()
    for bucket, key in _recover_buckets(tracking_number, contact):
        ratelimit.count(bucket, key, limit)


def device_token(request: HttpRequest) -> tuple[str, bool]:
    """The long-lived random device token (from the cookie, or a new one); True when new."""
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    if 20 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum():
        return token, False
    return secrets.token_urlsafe(24), True


def set_device_cookie(response: HttpResponse, token: str, *, secure: bool) -> None:
    response.set_cookie(
        DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax", secure=secure
    )


def supporter_id(request: HttpRequest, token: str) -> str:
    """One "saya juga mengalami" per citizen account, else per device."""
    user = citizen_user(request)
    if user is not None:
        return f"user:{user.pk}"
    return f"device:{token}"
