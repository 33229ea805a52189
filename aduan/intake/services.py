"""Taking a report in, from any channel: validate, store, and write the `submit` event."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import CharField, F, Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aduan.core import bulkinsert, clock, rows
from aduan.core.actors import Actor
from aduan.core.errors import InvalidInput
from aduan.core.text import normalize_text
from aduan.directory.geo import home_area_name, locate
from aduan.directory.models import Category, Region
from aduan.intake.models import Attachment, Channel, Kind, Report, Reporter, Support, access_code_digest
from aduan.intake.search import stem_for_search
from aduan.intake.uploads import CheckedFile, attachments_store
from aduan.workflow.selectors import reports_public

TITLE_MAX = 200
TEXT_MAX = 20_000
ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on phones
assert len(ACCESS_CODE_ALPHABET) == 32


@dataclass(frozen=True)
class Submitted:
    report: Report
    access_code: str


@dataclass(eq=False)
class Prepared:
    """A validated submission, not yet written: its unsaved rows and its one-time access code."""

    report: Report
    reporter: Reporter | None
    actor: Actor
    access_code: str

    def renew(self, *, renumber: bool = False) -> None:
        """Make the rows insertable again after a rolled-back attempt (which gave them ids); with
        `renumber`, under a new tracking number (the one drawn was taken)."""
        for row in (self.report, self.reporter):
            if row is not None:
                row.pk = None
                row._state.adding = True
        if renumber:
            _renumber(self.report)


def normalize_phone(raw: str) -> str:
    """An Indonesian phone number in E.164 (+62…), or InvalidInput."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            _("Nomor telepon %(raw)r tidak valid.") % {"raw": raw}, code="invalid_phone", field="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_regions: dict[str, Region] = {}


def _region(code: str) -> Region | None:
    # Regions change only when an operator re-imports them; keep what intake has looked up.
    if code not in _regions:
        found = Region.objects.select_related("parent").filter(code=code).first()
        if found is None:
            return None
        if len(_regions) > 20_000:
            _regions.clear()
        _regions[code] = found
    return _regions[code]


def resolve_region(code: str) -> tuple[Region, Region | None]:
    """(kecamatan, desa or None) for the code of a kecamatan or desa of this installation
    (ADUAN_HOME_REGION, as the web form offers them), or InvalidInput."""
    code = normalize_text(code, field="region", label=_REGION_CODE)
    if not code:
        raise InvalidInput(
            _("Wilayah wajib diisi: pilih kecamatan atau desa/kelurahan."),
            code="region_required",
            field="region",
        )
    region = _region(code) if len(code) <= _REGION_CODE_MAX else None
    if region is None or region.level < Region.Level.KECAMATAN:
        raise InvalidInput(
            _("Kode wilayah %(code)r tidak dikenal; pilih kecamatan atau desa/kelurahan.") % {"code": code},
            code="unknown_region",
            field="region",
        )
    if not code.startswith(settings.ADUAN_HOME_REGION + "."):
        raise InvalidInput(
            _("Wilayah %(code)s (%(name)s) di luar wilayah layanan %(installation)s.")
            % {"code": code, "name": region.name, "installation": settings.INSTALLATION_NAME},
            code="region_outside_installation",
            field="region",
        )
    if region.level == Region.Level.DESA:
        assert region.parent is not None
        return region.parent, region
    return region, None


def new_access_code() -> str:
    # 32 letters: each random byte modulo 32 is uniform (256 = 8 x 32); one read of the system's
    # randomness instead of one per letter.
    code = "".join(ACCESS_CODE_ALPHABET[byte % 32] for byte in secrets.token_bytes(8))
    return f"{code[:4]}-{code[4:]}"


_TRACKING_NUMBER = re.compile(r"^(?P<yymm>\d{4})[-\s]?(?P<seq>\d{6,7})$")


def normalize_tracking_number(raw: str) -> str | None:
    """ "2611-1234567", "2611 1234567" or "26111234567" (typed on a phone keypad) → "2611-1234567"."""
    match = _TRACKING_NUMBER.match((raw or "").strip())
    return f"{match['yymm']}-{match['seq']}" if match else None


def _new_tracking_number(now: dt.datetime) -> str:
    # YYMM plus seven random digits: short enough to text, room for millions a month, and
    # useless without the access code.
    return f"{clock.local_date(now):%y%m}-{secrets.randbelow(10_000_000):07d}"


def _decimal(value: Any, field: str, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(_COORDINATE_STEP)
    except (InvalidOperation, ValueError):
        number = None
    # NaN and infinities are not numbers a column holds (and NaN cannot even be compared).
    if number is None or not number.is_finite():
        raise InvalidInput(
            _("%(field)s harus berupa angka.") % {"field": field}, code=f"invalid_{field}", field=field
        )
    if not low <= number <= high:
        raise InvalidInput(
            _("%(field)s di luar jangkauan (%(low)s sampai %(high)s).")
            % {"field": field, "low": low, "high": high},
            code=f"invalid_{field}",
            field=field,
        )
    return number


def _max_length(model: type[Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, CharField) and field.max_length is not None
    return field.max_length


# What the columns hold, read from the models (the database refuses more on PostgreSQL).
TITLE_MAX = _max_length(Report, "title")
TEXT_MAX = 20_000  # a rule of ours (TextField has no limit): a long letter, not a book
_ADDRESS_MAX = _max_length(Report, "address")
_CHANNEL_DETAIL_MAX = _max_length(Report, "channel_detail")
_NAME_MAX = _max_length(Reporter, "name")
_EMAIL_MAX = _max_length(Reporter, "email")
_REGION_CODE_MAX = _max_length(Region, "code")
_CATEGORY_CODE_MAX = _max_length(Category, "code")
# Labels of the fields in messages, translated only when a message is built.
_TITLE, _DESCRIPTION, _ADDRESS = gettext_lazy("Judul"), gettext_lazy("Isi laporan"), gettext_lazy("Alamat")
_NAME, _CATEGORY, _PHONE = gettext_lazy("Nama"), gettext_lazy("Kategori"), gettext_lazy("Nomor telepon")
_EMAIL, _REGION_CODE = gettext_lazy("Email"), gettext_lazy("Kode wilayah")
_COORDINATE_STEP = Decimal(1).scaleb(-(Report._meta.get_field("latitude").decimal_places or 0))


# (Channel.values builds its list again on every use; this runs for every submission.)
_CHANNELS, _KINDS = frozenset(Channel.values), frozenset(Kind.values)
_NIK = re.compile("[0-9]{16}")


def submission_prepare(
    *,
    actor: Actor,
    channel: str,
    kind: str,
    title: str,
    description: str,
    region: str | None = None,
    category: str | None = None,
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    incident_date: dt.date | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
    nik: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    channel_detail: str = "",
    submitted_at: dt.datetime | None = None,
) -> Prepared:
    """Validate a submission and build its unsaved rows (no write): the part of a submission that
    needs no lock and no transaction. `submissions_store` writes it."""
    if channel not in _CHANNELS:
        raise InvalidInput(f"Kanal {channel!r} tidak dikenal.", code="invalid_channel", field="channel")
    if kind not in _KINDS:
        raise InvalidInput(
            "Jenis laporan harus pengaduan, aspirasi atau permintaan_informasi.",
            code="invalid_kind",
            field="kind",
        )
    title = normalize_text(title, field="title", label=_TITLE, max_length=TITLE_MAX, required=True)
    description = normalize_text(
        description,
        field="description",
        label=_DESCRIPTION,
        max_length=TEXT_MAX,
        required=True,
        multiline=True,
    )
    address = normalize_text(address, field="address", label=_ADDRESS, max_length=_ADDRESS_MAX)
    name = normalize_text(name, field="name", label=_NAME, max_length=_NAME_MAX)
    lat = _decimal(latitude, "latitude", -90, 90)
    lon = _decimal(longitude, "longitude", -180, 180)
    located = locate(lat, lon) if lat is not None and lon is not None else None
    if located is not None and not located[0]:
        raise InvalidInput(
            _(
                "Titik lokasi berada di luar wilayah %(area)s. Geser pin ke tempat kejadian di dalam "
                "wilayah ini, atau kosongkan titik lokasi dan pilih kecamatan/desa saja."
            )
            % {"area": home_area_name()},
            code="location_outside_installation",
            field="latitude",
        )
    if located is not None and (region is None or (isinstance(region, str) and region.count(".") < 3)):
        # No desa chosen: with boundaries imported, the pin says which (within the kecamatan chosen).
        at = located[1]
        if at is not None and (not region or at.code.startswith(region.strip() + ".")):
            region = at.code
    # None: the channel has no location (SMS, email; set at verification); "" was left empty.
    kecamatan, desa = resolve_region(region) if region is not None else (None, None)
    category_obj = None
    category = normalize_text(category, field="category", label=_CATEGORY)
    if category and category not in ("tidak_tahu", "unknown"):
        if len(category) <= _CATEGORY_CODE_MAX:
            category_obj = Category.objects.filter(code=category, is_active=True).first()
        if category_obj is None:
            raise InvalidInput(
                _("Kategori %(code)r tidak dikenal.") % {"code": category},
                code="unknown_category",
                field="category",
            )
    phone_e164 = normalize_phone(normalize_text(phone, field="phone", label=_PHONE))
    email = normalize_text(email, field="email", label=_EMAIL).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            email = ""
        # validate_email takes up to 320 characters; the column holds fewer.
        if not email or len(email) > _EMAIL_MAX:
            raise InvalidInput(
                _("Alamat email tidak valid (maksimal %(max)s karakter).") % {"max": _EMAIL_MAX},
                code="invalid_email",
                field="email",
            )
    nik = normalize_text(nik, field="nik", label="NIK")
    if nik and not _NIK.fullmatch(nik):
        raise InvalidInput(_("NIK harus 16 angka."), code="invalid_nik", field="nik")
    # Set by the interface (a console form's choice too): cut to the column, never refused.
    channel_detail = normalize_text(
        channel_detail, field="channel_detail", label="channel_detail", replace_invalid=True
    )[:_CHANNEL_DETAIL_MAX]
    if incident_date is not None and (
        not isinstance(incident_date, dt.date) or isinstance(incident_date, dt.datetime)
    ):
        raise InvalidInput(
            _("Tanggal kejadian harus berupa tanggal."), code="invalid_incident_date", field="incident_date"
        )
    now = submitted_at or clock.now()
    if incident_date and incident_date > clock.local_date(now):
        raise InvalidInput(
            _("Tanggal kejadian tidak boleh di masa depan."),
            code="incident_date_in_future",
            field="incident_date",
        )

    reporter = None
    if name or phone_e164 or email or nik or actor.user is not None:
        reporter = rows.build(
            Reporter,
            name=name,
            phone=phone_e164,
            email=email,
            nik=nik,
            user=actor.user if actor.role.value == "citizen" else None,
        )
    access_code = new_access_code()
    report = rows.build(
        Report,
        tracking_number=_new_tracking_number(now),
        access_code_digest=access_code_digest(access_code),
        title=title,
        original_text=description,
        kind=kind,
        category=category_obj,
        region=desa or kecamatan,
        kecamatan=kecamatan,
        desa=desa,
        address=address,
        latitude=lat,
        longitude=lon,
        incident_date=incident_date,
        channel=channel,
        channel_detail=channel_detail,
        reporter=reporter,
        is_anonymous=bool(anonymous),
        is_confidential=bool(confidential),
        submitted_at=now,
        updated_at=now,
        search_text=stem_for_search(f"{title} {description}"),
    )
    return Prepared(report=report, reporter=reporter, actor=actor, access_code=access_code)


def submissions_store(prepared: Sequence[Prepared]) -> list[Submitted]:
    """Insert prepared submissions, one multi-row INSERT per table, and write their `submit`
    events; call inside the caller's transaction. A tracking number drawn twice (seven random
    digits a month) is skipped by the INSERT and drawn again."""
    reporters = [p.reporter for p in prepared if p.reporter is not None]
    bulkinsert.insert(reporters)
    for p in prepared:
        p.report.reporter = p.reporter  # now with its id
    from aduan.workflow.services import open_reports

    # The lifecycle service sets the first state and deadline and inserts the rows.
    open_reports([(p.report, p.actor) for p in prepared], renumber=_renumber)
    return [Submitted(report=p.report, access_code=p.access_code) for p in prepared]


def _renumber(report: Report) -> None:
    report.tracking_number = _new_tracking_number(report.submitted_at)


def submission_store(prepared: Prepared) -> Submitted:
    """One prepared submission in its own transaction (a savepoint inside the caller's)."""
    with transaction.atomic():
        return submissions_store([prepared])[0]


def report_submit(*, actor: Actor, channel: str, **fields: Any) -> Submitted:
    """Create a report in `belum_terverifikasi`; returns it with its one-time access code.
    `fields` are submission_prepare's (kind, title, description, region, …)."""
    return submission_store(submission_prepare(actor=actor, channel=channel, **fields))


def report_submit_with_files(
    *,
    actor: Actor,
    channel: str,
    files: Sequence[CheckedFile],
    stored: list[Attachment],
    **fields: Any,
) -> Submitted:
    """report_submit, then each file checked beforehand (uploads_check, outside the transaction) is
    stored; call inside the caller's transaction.

    Each file written is appended to `stored` at once: if the transaction rolls back, the caller
    removes those files (attachment_files_guard; storage is not transactional)."""
    submitted = report_submit(actor=actor, channel=channel, **fields)
    attachments_store(report=submitted.report, files=files, stored=stored)
    return submitted


def report_support_add(*, report_id: int, supporter: str) -> int:
    """Count one "saya juga mengalami" from a citizen or device; returns the report's new count."""
    if not supporter:
        raise InvalidInput("Pendukung tidak dikenal.", code="supporter_required")
    if not reports_public().filter(pk=report_id).exists():
        raise InvalidInput("Laporan ini tidak dapat didukung.", code="report_not_public")
    key = hashlib.sha256(f"{settings.SECRET_KEY}:{supporter}".encode()).hexdigest()
    with transaction.atomic():
        _, created = Support.objects.get_or_create(
            report_id=report_id, supporter_key=key, defaults={"created_at": clock.now()}
        )
        if created:
            Report.objects.filter(pk=report_id).update(support_count=F("support_count") + 1)
    return Report.objects.values_list("support_count", flat=True).get(pk=report_id)
