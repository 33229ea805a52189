"""Writes the API owns: tokens, and citizen accounts made through the app."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from aduan.accounts.models import User
from aduan.api.models import ApiToken, token_digest
from aduan.core import clock
from aduan.core.errors import InvalidInput, PermissionDenied
from aduan.core.roles import Role
from aduan.intake.models import Channel
from aduan.intake.services import normalize_phone

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


def citizen_register(
    *, username: str, password: str, name: str = "", email: str = "", phone: str = ""
) -> User:
    """A citizen account (role citizen, no agency) for the mobile app."""
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise InvalidInput(
            "Nama pengguna wajib diisi (maksimal 150 karakter).", code="username_required", field="username"
        )
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                f"Alamat email {email!r} tidak valid.", code="invalid_email", field="email"
            ) from None
    phone_e164 = normalize_phone(phone)
    candidate = User(username=username, email=email, role=Role.CITIZEN)
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="weak_password", field="password") from None
    first, _, last = (name or "").strip().partition(" ")
    try:
        with transaction.atomic():
            if User.objects.filter(username__iexact=username).exists():
                raise IntegrityError
            return User.objects.create_user(
                username=username,
                password=password,
                email=email,
                role=Role.CITIZEN,
                phone=phone_e164,
                first_name=first[:150],
                last_name=last[:150],
            )
    except IntegrityError:
        raise InvalidInput("Nama pengguna sudah dipakai.", code="username_taken", field="username") from None


def citizen_login(*, username: str, password: str) -> User | None:
    user = authenticate(username=(username or "").strip(), password=password or "")
    return user if isinstance(user, User) and user.is_active else None
