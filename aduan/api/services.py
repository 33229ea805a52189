"""Writes the API owns: tokens (citizen accounts are made by aduan.accounts.services)."""

from __future__ import annotations

import datetime as dt
import secrets

from aduan.accounts.models import User
from aduan.accounts.services import citizen_authenticate
from aduan.api.models import ApiToken, token_digest
from aduan.core import clock
from aduan.core.errors import InvalidInput, PermissionDenied
from aduan.intake.models import Channel

TOKEN_PREFIX = "adn_"
# A token's last_used_at is written at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def token_create(*, user: User, name: str, channel: str = Channel.API) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the raw token, which is never stored."""
    if channel not in Channel.values:
        raise InvalidInput(f"Kanal {channel!r} tidak dikenal.", code="invalid_channel", field="channel")
    if not user.is_active:
        raise PermissionDenied("Pengguna tidak aktif.", code="user_inactive")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        digest=token_digest(raw),
        prefix=raw[:12],
        user=user,
        name=(name or "token")[:100],
        channel=channel,
        created_at=clock.now(),
    )
    return token, raw


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for a raw bearer value, or None (unknown, revoked, or its user is inactive)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(raw), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)


def citizen_login(*, username: str, password: str) -> User | None:
    """The app's sign-in: a username, phone number or email, through the accounts service."""
    return citizen_authenticate(identifier=username, password=password)
