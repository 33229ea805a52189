"""Citizen accounts: register, sign in by phone/email/username, erase one's personal data.

Interfaces (the portal's /akun/ pages, the mobile API's /api/v1/auth) call these; they never
create or change a User themselves. Errors are `InvalidInput` with a stable code and the form
field they belong to.
"""

from __future__ import annotations

import re
import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from aduan.accounts.models import User
from aduan.core import clock
from aduan.core.errors import InvalidInput, PermissionDenied
from aduan.core.roles import Role
from aduan.core.text import has_invalid_characters, normalize_text
from aduan.intake.services import normalize_phone

NAME_MAX = 120  # as long as Reporter.name, so that the account's name fits a report's reporter
# What a person types as a phone number: digits with an optional +, spaces, dots, dashes, brackets.
_PHONE_LIKE = re.compile(r"\+?[\d\s().-]{6,24}")
ERASED_PREFIX = "terhapus-"


def _clean_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not email:
        return ""
    if len(email) > 254:
        raise InvalidInput("Alamat email terlalu panjang.", code="invalid_email", field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            f"Alamat email {email!r} tidak valid.", code="invalid_email", field="email"
        ) from None
    return email


def _clean_username(raw: str, *, phone: str, email: str) -> str:
    username = (raw or "").strip()
    if len(username) > 150:
        raise InvalidInput("Nama pengguna maksimal 150 karakter.", code="username_too_long", field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise InvalidInput(
            "Nama pengguna hanya boleh berisi huruf, angka, dan tanda @ . + - _ (tanpa spasi).",
            code="invalid_username",
            field="username",
        ) from None
    # Sign-in reads an identifier with @ as an email and a number as a phone: a username that
    # looks like someone else's email or phone would confuse (or shadow) their sign-in.
    if "@" in username and username.lower() != email:
        raise InvalidInput(
            "Nama pengguna tidak boleh berbentuk alamat email.", code="invalid_username", field="username"
        )
    if _PHONE_LIKE.fullmatch(username) and username != phone:
        raise InvalidInput(
            "Nama pengguna tidak boleh berbentuk nomor telepon.", code="invalid_username", field="username"
        )
    return username


def citizen_register(
    *, password: str, name: str = "", username: str = "", phone: str = "", email: str = ""
) -> User:
    """A citizen account (role citizen, no agency).

    At least one of username, phone or email; the phone is normalised to E.164 (+62…), the email
    lower-cased, and neither may belong to another account. Without a username the phone (else
    the email) becomes it. The password must pass Django's validators.
    """
    name = " ".join(normalize_text(name, field="name", label=_("Nama"), max_length=NAME_MAX).split())
    email = _clean_email(normalize_text(email, field="email", label=_("Email")))
    phone_e164 = normalize_phone(normalize_text(phone, field="phone", label=_("Nomor telepon")))
    username = normalize_text(username, field="username", label=_("Nama pengguna"))
    if has_invalid_characters(password or ""):
        # Not normalised (a password is compared as typed), but it must be encodable to be hashed.
        raise InvalidInput(
            _("%(label)s berisi karakter yang tidak sah (NUL atau surrogate tunggal).")
            % {"label": _("Kata sandi")},
            code="invalid_characters",
            field="password",
        )
    if not (username or "").strip() and not phone_e164 and not email:
        raise InvalidInput(
            "Isi nomor HP atau alamat email (salah satu cukup) untuk masuk nanti.",
            code="contact_required",
            field="phone",
        )
    username = _clean_username(username or phone_e164 or email, phone=phone_e164, email=email)
    first, _sep, last = name.partition(" ")
    candidate = User(username=username, email=email, phone=phone_e164, first_name=first, last_name=last)
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="weak_password", field="password") from None

    if phone_e164 and User.objects.filter(phone=phone_e164).exists():
        raise InvalidInput(
            "Nomor HP ini sudah terdaftar. Silakan masuk, atau pakai nomor lain.",
            code="phone_taken",
            field="phone",
        )
    if email and User.objects.filter(email__iexact=email).exists():
        raise InvalidInput(
            "Alamat email ini sudah terdaftar. Silakan masuk, atau pakai alamat lain.",
            code="email_taken",
            field="email",
        )
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
        # The unique username also catches two registrations of one phone racing each other.
        if username == phone_e164:
            raise InvalidInput("Nomor HP ini sudah terdaftar.", code="phone_taken", field="phone") from None
        if username == email:
            raise InvalidInput(
                "Alamat email ini sudah terdaftar.", code="email_taken", field="email"
            ) from None
        raise InvalidInput("Nama pengguna sudah dipakai.", code="username_taken", field="username") from None


def account_for_identifier(identifier: str) -> User | None:
    """The account a sign-in identifier names: an email, a phone number (any common way of
    writing it), or a username. None when there is none or it is ambiguous."""
    ident = (identifier or "").strip()
    if not ident or len(ident) > 254:
        return None
    matches: list[User] = []
    if "@" in ident:
        matches = list(User.objects.filter(email__iexact=ident)[:2])
    elif _PHONE_LIKE.fullmatch(ident):
        try:
            phone = normalize_phone(ident)
        except InvalidInput:
            phone = ""
        if phone:
            matches = list(User.objects.filter(phone=phone)[:2])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        return None
    return User.objects.filter(username=ident).first()


def citizen_authenticate(
    *, identifier: str, password: str, request: HttpRequest | None = None
) -> User | None:
    """The active citizen whose phone, email or username is `identifier` and whose password matches.

    A staff account is never returned, even with its right password: staff sign in at the console
    only (throttled, with a second factor), and a citizen's sign-in page or the app answering
    differently for a right staff password would confirm it to whoever is guessing (issue 13).
    Goes through Django's `authenticate`, so failures fire `user_login_failed` and an unknown
    identifier costs the same password hashing as a known one.
    """
    if has_invalid_characters(identifier or "") or has_invalid_characters(password or ""):
        return None  # no account has such a name, and such a password cannot be hashed
    account = account_for_identifier(identifier)
    username = account.get_username() if account is not None else (identifier or "").strip()[:150]
    user = authenticate(request, username=username, password=password or "")
    if isinstance(user, User) and user.is_active and user.role == Role.CITIZEN:
        return user
    return None


def citizen_erase(*, user: User) -> int:
    """Erase a citizen's personal data on request (UU 27/2022, DOMAIN.md §6).

    Blanks name, phone, email and NIK on every Reporter row linked to the account, and turns the
    account into an inactive shell: random username, no name/email/phone, unusable password (which
    also ends its other sessions). The reports stay, anonymised: they are public records of the
    government's performance. Rows matched only by phone or email are left alone, since an
    account's phone and email are not proof of ownership. Returns how many reporter rows were
    blanked. The caller confirms the password and signs the person out.
    """
    if user.role != Role.CITIZEN:
        raise PermissionDenied(
            "Hanya akun warga yang dapat dihapus di sini; akun petugas diurus administrator.",
            code="not_a_citizen_account",
        )
    from aduan.workflow.retention import reporter_erase_on_request

    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        blanked = reporter_erase_on_request(account=account, now=clock.now())
        account.username = ERASED_PREFIX + secrets.token_hex(16)
        account.first_name = ""
        account.last_name = ""
        account.email = ""
        account.phone = ""
        account.is_active = False
        account.set_unusable_password()
        account.save(
            update_fields=["username", "first_name", "last_name", "email", "phone", "is_active", "password"]
        )
    # The caller's object too, so nothing stale (a name in a template) outlives the erasure.
    for attr in ("username", "first_name", "last_name", "email", "phone", "is_active", "password"):
        setattr(user, attr, getattr(account, attr))
    return blanked
