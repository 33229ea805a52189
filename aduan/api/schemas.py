"""Shapes of the API's bodies (Pydantic, via django-ninja); they also make the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db import models
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from aduan.api.output import API_ACTIONS
from aduan.directory.models import Agency, Category, Region
from aduan.intake.models import ArchiveReason, Channel, Classification, Kind, Report, Reporter, Status, Step
from aduan.intake.services import TEXT_MAX, TITLE_MAX
from aduan.workflow.handlers import MAX_NOTE
from aduan.workflow.models import FollowUp


def _max_length(model: type[models.Model], field: str) -> int:
    """A column's length, so the documented limit follows the model."""
    column = model._meta.get_field(field)
    assert isinstance(column, models.Field) and column.max_length is not None
    return int(column.max_length)


def _documented(**keywords: Any) -> dict[str, Any]:
    """JSON-schema keywords that only document a field: the domain service checks the value itself
    (and answers its own codes, e.g. 400 `title_too_long`), the schema tells clients the limits."""
    return keywords


def _one_of(values: list[str], *, nullable: bool = False) -> Any:
    """A string answered from a fixed set (a model's choices), documented as an enum."""
    return Field(
        None if nullable else ...,
        json_schema_extra=_documented(enum=[*values, *([None] if nullable else [])]),
    )


STATUS, KIND, CHANNEL = Status.values, Kind.values, Channel.values


class ReportIn(BaseModel):
    # A plain Pydantic model, not a ninja Schema: it validates the parsed JSON of every API
    # submission (aduan/api/reports.py parse_create), and Schema's wrap validator, there to read
    # ORM objects, took 4 % of a submission's CPU under bench/intake.py for nothing.
    kind: str = Field(
        description="Jenis laporan", json_schema_extra=_documented(enum=Kind.values), examples=["pengaduan"]
    )
    title: str = Field(
        description=f"Judul singkat (maks. {TITLE_MAX} karakter)",
        json_schema_extra=_documented(minLength=1, maxLength=TITLE_MAX),
    )
    description: str = Field(
        description=f"Isi laporan: apa yang terjadi (maks. {TEXT_MAX:,} karakter)".replace(",", "."),
        json_schema_extra=_documented(minLength=1, maxLength=TEXT_MAX),
    )
    region: str = Field(
        description="Kode Kemendagri kecamatan atau desa/kelurahan kabupaten ini (GET /api/v1/regions), "
        "mis. 35.02.17",
        json_schema_extra=_documented(maxLength=_max_length(Region, "code")),
        examples=["35.02.17"],
    )
    category: str | None = Field(
        None,
        description="Kode kategori (GET /api/v1/categories); kosong = tidak tahu",
        json_schema_extra=_documented(maxLength=_max_length(Category, "code")),
    )
    address: str = Field("", json_schema_extra=_documented(maxLength=_max_length(Report, "address")))
    latitude: float | None = Field(None, json_schema_extra=_documented(minimum=-90, maximum=90))
    longitude: float | None = Field(None, json_schema_extra=_documented(minimum=-180, maximum=180))
    incident_date: dt.date | None = Field(None, description="Tanggal kejadian; tidak di masa depan")
    name: str = Field("", json_schema_extra=_documented(maxLength=_max_length(Reporter, "name")))
    phone: str = Field(
        "",
        description="Nomor HP untuk kabar laporan; dinormalkan ke +62…",
        json_schema_extra=_documented(maxLength=30),
    )
    email: str = Field("", json_schema_extra=_documented(maxLength=_max_length(Reporter, "email")))
    nik: str = Field(
        "", description="NIK 16 angka (opsional)", json_schema_extra=_documented(pattern=r"^(\d{16})?$")
    )
    anonymous: bool = Field(False, description="Identitas pelapor hanya diketahui admin koordinator")
    confidential: bool = Field(False, description="Laporan tidak tampil di daftar publik")
    keep_location: bool = Field(False, description="Pertahankan lokasi GPS di foto lampiran")


class CodeName(Schema):
    code: str
    name: str


class ReportCreated(Schema):
    tracking_number: str
    access_code: str = Field(description="Kode akses rahasia: hanya ditampilkan sekali")
    status: str = _one_of(STATUS)
    channel: str = _one_of(CHANNEL)
    kind: str = _one_of(KIND)
    submitted_at: dt.datetime
    attachments: int
    url: str


class TimelineEntry(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor_role: str
    actor_agency: CodeName | None = None
    actor_name: str | None = None
    note: str = ""


class FollowUpOut(Schema):
    id: int
    agency: CodeName
    text: str
    state: str = _one_of(FollowUp.State.values)
    is_public: bool
    published_at: dt.datetime | None = None
    attachments: list[dict[str, Any]] = []


class ReporterOut(Schema):
    name: str
    phone: str
    email: str


class ForwardedOut(Schema):
    """Where a forwarded report is handled now: a peer installation's agency (docs/federation.md)."""

    agency: CodeName
    tracking_number: str | None = Field(None, description="Nomor laporan di instalasi penerima")
    status: str | None = _one_of(STATUS, nullable=True)


class ReportOut(Schema):
    tracking_number: str
    status: str = _one_of(STATUS)
    status_label: str
    kind: str = _one_of(KIND)
    channel: str = _one_of(CHANNEL)
    title: str
    description: str
    category: CodeName | None = None
    region: CodeName | None = None
    kecamatan: CodeName | None = None
    address: str
    latitude: float | None = Field(None, description="Tepat, atau pusat sel ~500 m untuk laporan anonim")
    longitude: float | None = None
    location_exact: bool = True
    submitted_at: dt.datetime
    updated_at: dt.datetime
    is_anonymous: bool
    is_confidential: bool
    support_count: int
    timeline: list[TimelineEntry]
    follow_ups: list[FollowUpOut]
    attachments: list[dict[str, Any]]
    allowed_actions: list[str] = Field(
        description="Tepat tindakan yang akan diterima dari pemanggil ini sekarang",
        json_schema_extra=_documented(items={"type": "string", "enum": API_ACTIONS}),
    )
    reporter: ReporterOut | None = None
    forwarded_to: ForwardedOut | None = None
    # Staff only:
    classification: str | None = _one_of(Classification.values, nullable=True)
    lead_agency: CodeName | None = None
    step: str | None = _one_of(Step.values, nullable=True)
    due_at: dt.datetime | None = None
    original_title: str | None = None
    original_text: str | None = None
    clarification_question: str | None = None


class ReportSummary(Schema):
    tracking_number: str
    status: str = _one_of(STATUS)
    kind: str = _one_of(KIND)
    channel: str = _one_of(CHANNEL)
    title: str
    category: str | None = None
    kecamatan: str | None = None
    lead_agency: str | None = None
    submitted_at: dt.datetime
    updated_at: dt.datetime
    due_at: dt.datetime | None = None


class ReportPage(Schema):
    count: int = Field(description="Exact up to 10000; 10001 with count_capped true means more.")
    count_capped: bool = False
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[ReportSummary]


class ActionResult(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    data: dict[str, Any]
    report: ReportOut | None = Field(description="Laporan sesudah tindakan; null bila tidak lagi terlihat")


class SupportOut(Schema):
    tracking_number: str
    support_count: int


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None = None
    is_national: bool
    # A top-level topic of the installation's citizen list (citizen apps offer only these and
    # their sub-topics; staff systems may use any).
    citizen_topic: bool = False


class RegionOut(Schema):
    code: str
    name: str
    level: int
    kind: str
    parent: str | None = None
    postal_code: str


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None = Field(None, description="Instansi induk (pohon instansi)")
    children: list[str] = Field(default_factory=list, description="Kode instansi di bawahnya")
    requires_approval: bool = Field(
        description="Tindak lanjut admin OPD perlu disetujui pejabat penghubung sebelum dipublikasikan "
        "(draft_follow_up → approve_follow_up → follow_up)"
    )


class RegisterIn(Schema):
    username: str
    password: str
    name: str = ""
    email: str = ""
    phone: str = ""


class LoginIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str = Field(description="Kirim sebagai Authorization: Bearer <token>")
    username: str
    role: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None


# --- the body of each lifecycle action (POST /api/v1/reports/{tracking_number}/actions/<action>) ---
# What aduan/workflow/handlers.py reads from each action's params; the handler checks the values
# itself (400 `<field>_required`, `invalid_<field>`, `unknown_agency`, …), these models document them
# with a worked example each.

_NOTE = _documented(maxLength=MAX_NOTE)
_FOLLOW_UP_TEXT = _documented(minLength=1, maxLength=TEXT_MAX)
_AGENCY = _documented(maxLength=_max_length(Agency, "code"))


class _ActionBody(BaseModel):
    model_config = ConfigDict(extra="allow")


class HoldBody(_ActionBody):
    """Tunda: ask the citizen a clarification question (coordinator)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"question": "Di RT/RW berapa lokasinya?"}]})
    question: str = Field(description="Pertanyaan klarifikasi untuk pelapor", json_schema_extra=_NOTE)


class ResumeBody(_ActionBody):
    """The citizen's answer to the clarification (required for the citizen), or the coordinator resumes."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"answer": "RT 02 RW 01, depan masjid."}]})
    answer: str = Field("", description="Jawaban klarifikasi", json_schema_extra=_NOTE)


class VerifyBody(_ActionBody):
    """Verify: classification and category required; title/text edits keep the citizen's original."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "classification": "pengaduan_tidak_berkadar_pengawasan",
                    "category": "kesehatan",
                    "region": "35.02.17",
                    "anonymous": False,
                    "confidential": False,
                    "note": "Lokasi sudah jelas.",
                }
            ]
        }
    )
    classification: str = Field(json_schema_extra=_documented(enum=Classification.values))
    category: str = Field(
        description="Kode kategori (GET /api/v1/categories)",
        json_schema_extra=_documented(minLength=1, maxLength=_max_length(Category, "code")),
    )
    region: str | None = Field(None, description="Koreksi lokasi: kode kecamatan atau desa")
    title: str | None = Field(None, json_schema_extra=_documented(maxLength=TITLE_MAX))
    text: str | None = Field(None, json_schema_extra=_documented(maxLength=TEXT_MAX))
    anonymous: bool | None = None
    confidential: bool | None = None
    note: str = Field("", json_schema_extra=_NOTE)


class ArchiveBody(_ActionBody):
    """Archive with a reason (`note` required when the reason is `other`); duplicates use mark_duplicate."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "spam", "note": "Isi berulang tanpa keterangan."}]}
    )
    reason: str = Field(
        json_schema_extra=_documented(enum=[v for v in ArchiveReason.values if v != ArchiveReason.DUPLICATE])
    )
    note: str = Field("", json_schema_extra=_NOTE)


class MarkDuplicateBody(_ActionBody):
    """Archive as a duplicate of another report; the reporter follows that one."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"of": "2611-0482913"}]})
    of: str = Field(description="Nomor laporan asli", json_schema_extra=_documented(maxLength=20))


class DisposeBody(_ActionBody):
    """Dispose (or re-dispose) to one lead agency and optional supporting ones (APIP for berkadar pengawasan)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"lead": "pupr", "supporting": ["dishub"], "instruction": "Mohon ditinjau minggu ini."}
            ]
        }
    )
    lead: str = Field(
        description="Kode instansi utama (GET /api/v1/agencies; saran: GET /api/v1/routing/suggest)",
        json_schema_extra=_AGENCY,
    )
    supporting: list[str] = Field(default_factory=list, description="Kode instansi pendukung")
    instruction: str = Field("", json_schema_extra=_NOTE)


class NoteBody(_ActionBody):
    """An optional note for the audit trail."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "Diterima, petugas dijadwalkan."}]})
    note: str = Field("", json_schema_extra=_NOTE)


class ReturnBody(_ActionBody):
    """Bukan kewenangan: the lead agency returns the report to the coordinator, proposing another agency."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Jalan nasional, kewenangan BBPJN.", "proposed_agency": "dishub"}]
        }
    )
    reason: str = Field(json_schema_extra=_documented(minLength=1, maxLength=MAX_NOTE))
    proposed_agency: str = Field(json_schema_extra=_AGENCY)


class DraftFollowUpBody(_ActionBody):
    """A draft follow-up for the pejabat penghubung to approve (answer `data.follow_up_id`)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"text": "Lubang sudah ditambal pada 3 Desember.", "public": True}]}
    )
    text: str = Field(json_schema_extra=_FOLLOW_UP_TEXT)
    public: bool = Field(True, description="false: catatan internal, tidak untuk pelapor")


class FollowUpIdBody(_ActionBody):
    """Approve a draft follow-up (pejabat penghubung)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"follow_up_id": 41}]})
    follow_up_id: int = Field(description="`data.follow_up_id` dari draft_follow_up")


class SendBackBody(_ActionBody):
    """Send a draft follow-up back for changes (pejabat penghubung)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"follow_up_id": 41, "note": "Sebutkan tanggal perbaikan."}]}
    )
    follow_up_id: int
    note: str = Field(json_schema_extra=_documented(minLength=1, maxLength=MAX_NOTE))


class FollowUpBody(_ActionBody):
    """Publish a follow-up: an approved draft (`follow_up_id`) or, where no approval is needed, a text."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"text": "Lubang sudah ditambal pada 3 Desember."}, {"follow_up_id": 41}]
        }
    )
    follow_up_id: int | None = None
    text: str | None = Field(None, json_schema_extra=_FOLLOW_UP_TEXT)


class ReplyBody(_ActionBody):
    """The citizen answers a follow-up (not satisfied, or more detail)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "Masih ada lubang di sisi timur."}]})
    text: str = Field(json_schema_extra=_documented(minLength=1, maxLength=MAX_NOTE))


class ReasonBody(_ActionBody):
    """A required reason (close by the coordinator; reopen by the citizen)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Belum diperbaiki sama sekali."}]})
    reason: str = Field(json_schema_extra=_documented(minLength=1, maxLength=MAX_NOTE))


class RateBody(_ActionBody):
    """The citizen's rating, 1–5, with an optional comment."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"score": 5, "comment": "Cepat ditangani."}]})
    score: int = Field(ge=1, le=5)
    comment: str = Field("", json_schema_extra=_documented(maxLength=2000))


class ForwardBody(_ActionBody):
    """Forward a verified report to an agency of a peer installation (GET /api/v1/agencies: kind
    `external`); that installation is responsible from then on (docs/federation.md)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"agency": "35-dpubm", "note": "Jalan provinsi ruas Ponorogo–Trenggalek."}]
        }
    )
    agency: str = Field(json_schema_extra=_AGENCY)
    note: str = Field("", json_schema_extra=_NOTE)


class RelayBody(_ActionBody):
    """The citizen's answer, reply, rating, reopening or confirmation of a report handled at a peer
    installation: relayed there (`kind` names the action; its fields as that action's body)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "reply", "text": "Masih ada lubang di sisi timur."}]}
    )
    kind: str = Field(json_schema_extra=_documented(enum=["resume", "reply", "rate", "reopen", "complete"]))
    answer: str | None = Field(None, json_schema_extra=_documented(maxLength=MAX_NOTE))
    text: str | None = Field(None, json_schema_extra=_documented(maxLength=MAX_NOTE))
    reason: str | None = Field(None, json_schema_extra=_documented(maxLength=MAX_NOTE))
    score: int | None = Field(None, ge=1, le=5)
    comment: str | None = Field(None, json_schema_extra=_documented(maxLength=2000))


ACTION_BODIES: dict[str, type[BaseModel]] = {
    "hold": HoldBody,
    "resume": ResumeBody,
    "verify": VerifyBody,
    "archive": ArchiveBody,
    "mark_duplicate": MarkDuplicateBody,
    "dispose": DisposeBody,
    "redispose": DisposeBody,
    "accept": NoteBody,
    "return": ReturnBody,
    "draft_follow_up": DraftFollowUpBody,
    "approve_follow_up": FollowUpIdBody,
    "send_back_follow_up": SendBackBody,
    "follow_up": FollowUpBody,
    "reply": ReplyBody,
    "complete": NoteBody,
    "reopen": ReasonBody,
    "rate": RateBody,
    "close": ReasonBody,
    "forward": ForwardBody,
    "return_to_origin": ReasonBody,
    "relay": RelayBody,
}


class RoutingSuggestion(Schema):
    category: str
    region: str | None = Field(description="Kecamatan yang dipakai aturan (dari kode desa bila perlu)")
    lead: AgencyOut | None = Field(description="OPD utama yang disarankan; null bila tak ada aturan")


# Checked before any query: a number that is not one (a NUL byte, a 10 KB string) is a 422, not a look-up.
TrackingNumber = Annotated[str, Field(max_length=20, pattern=r"^[0-9A-Za-z-]+$")]


class BulkIn(BaseModel):
    reports: list[TrackingNumber] = Field(
        min_length=1, max_length=100, description="Nomor laporan (maks. 100)"
    )
    params: dict[str, Any] = Field(default_factory=dict, description="Isi tindakan, sama untuk semua laporan")


class BulkItem(Schema):
    tracking_number: str
    status: int = Field(description="Kode HTTP jawaban untuk laporan ini sendiri")
    result: ActionResult | None = None
    problem: Problem | None = None


class BulkOut(Schema):
    action: str
    succeeded: int
    failed: int
    results: list[BulkItem]
