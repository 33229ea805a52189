"""Staff's second factor: a TOTP authenticator app (django-otp), with one-time recovery codes.

Who must use one is a setting (ADUAN_OTP_REQUIRED_ROLES); anyone who enrolled is always asked.
Verification goes device by device inside a transaction (django-otp locks the rows and counts
failures per device), so a code can be used once and guessing slows down on the device itself.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aduan.accounts.models import User

RECOVERY_CODES = 10
TOTP_NAME = "Aplikasi autentikator"
RECOVERY_NAME = "Kode pemulihan"


def second_factor_required(user: User) -> bool:
    """True when this staff account must pass a second factor after its password."""
    if not user.is_staff_account:
        return False
    required = settings.ADUAN_OTP_REQUIRED_ROLES
    if user.role in required or ("admin" in required and (user.is_staff or user.is_superuser)):
        return True
    return second_factor_enrolled(user)


def second_factor_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolment(*, user: User) -> TOTPDevice:
    """The authenticator being set up (not yet confirmed): the one in progress, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps ask for it when typed in (base32, in groups of four)."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def totp_qr_svg(device: TOTPDevice) -> bytes:
    """The otpauth:// address as a QR code (SVG, no inline script or style)."""
    import segno

    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, xmldecl=False)
    return out.getvalue()


def totp_confirm(*, user: User, token: str) -> tuple[Device, list[str]] | None:
    """Confirm the authenticator being set up with its current code.

    Returns the device and new recovery codes (shown once; earlier codes and authenticators stop
    working), or None when the code is wrong.
    """
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        )
        if device is None or not device.verify_token(_digits(token)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device, recovery_codes_renew(user=user)


def recovery_codes_renew(*, user: User) -> list[str]:
    """New one-time recovery codes for `user`, replacing every earlier one."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The confirmed device that accepts `token` (an authenticator code or a recovery code), or None.

    A recovery code is deleted when used.
    """
    token = (token or "").strip().replace(" ", "").replace("-", "").lower()
    if not token or len(token) > 16:
        return None
    # Authenticator codes are 6 digits, recovery codes 8 letters and digits: each goes to its own
    # kind of device only, so a mistyped code does not slow down the other kind (django-otp's
    # per-device back-off).
    is_totp = token.isdigit() and len(token) == 6
    with transaction.atomic():
        devices: list[Device] = list(
            (TOTPDevice if is_totp else StaticDevice)
            .objects.select_for_update()
            .filter(user=user, confirmed=True)
        )
        for device in devices:
            if device.verify_token(token):
                return device
    return None


def _digits(token: str) -> str:
    return "".join(ch for ch in (token or "") if ch.isdigit())[:8]
