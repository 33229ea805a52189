"""Shapes of the API's bodies (Pydantic, via django-ninja); they also make the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import BaseModel, Field


class ReportIn(BaseModel):
    # A plain Pydantic model, not a ninja Schema: it validates the parsed JSON of every API
    # submission (aduan/api/reports.py parse_create), and Schema's wrap validator, there to read
    # ORM objects, took 4 % of a submission's CPU under bench/intake.py for nothing.
    kind: str = Field(description="pengaduan, aspirasi atau permintaan_informasi")
    title: str = Field(description="Judul singkat (maks. 200 karakter)")
    description: str = Field(description="Isi laporan: apa yang terjadi (maks. 20.000 karakter)")
    region: str = Field(description="Kode Kemendagri kecamatan atau desa/kelurahan, mis. 35.02.17")
    category: str | None = Field(
        None, description="Kode kategori (GET /api/v1/categories); kosong = tidak tahu"
    )
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    incident_date: dt.date | None = None
    name: str = ""
    phone: str = Field("", description="Nomor HP untuk kabar laporan; dinormalkan ke +62…")
    email: str = ""
    nik: str = Field("", description="NIK 16 angka (opsional)")
    anonymous: bool = Field(False, description="Identitas pelapor hanya diketahui admin koordinator")
    confidential: bool = Field(False, description="Laporan tidak tampil di daftar publik")
    keep_location: bool = Field(False, description="Pertahankan lokasi GPS di foto lampiran")


class CodeName(Schema):
    code: str
    name: str


class ReportCreated(Schema):
    tracking_number: str
    access_code: str = Field(description="Kode akses rahasia: hanya ditampilkan sekali")
    status: str
    channel: str
    kind: str
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
    state: str
    is_public: bool
    published_at: dt.datetime | None = None
    attachments: list[dict[str, Any]] = []


class ReporterOut(Schema):
    name: str
    phone: str
    email: str


class ReportOut(Schema):
    tracking_number: str
    status: str
    status_label: str
    kind: str
    channel: str
    title: str
    description: str
    category: CodeName | None = None
    region: CodeName | None = None
    kecamatan: CodeName | None = None
    address: str
    submitted_at: dt.datetime
    updated_at: dt.datetime
    is_anonymous: bool
    is_confidential: bool
    support_count: int
    timeline: list[TimelineEntry]
    follow_ups: list[FollowUpOut]
    attachments: list[dict[str, Any]]
    allowed_actions: list[str]
    reporter: ReporterOut | None = None
    # Staff only:
    classification: str | None = None
    lead_agency: CodeName | None = None
    step: str | None = None
    due_at: dt.datetime | None = None
    original_title: str | None = None
    original_text: str | None = None
    clarification_question: str | None = None


class ReportSummary(Schema):
    tracking_number: str
    status: str
    kind: str
    channel: str
    title: str
    category: str | None = None
    kecamatan: str | None = None
    lead_agency: str | None = None
    submitted_at: dt.datetime
    updated_at: dt.datetime
    due_at: dt.datetime | None = None


class ReportPage(Schema):
    count: int
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
    parent: str | None = None


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
