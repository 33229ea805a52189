"""Test helpers that drive reports through the real services (never writing states directly)."""

from __future__ import annotations

import io
from typing import Any

from aduan.core.actors import SYSTEM, Actor, citizen_with_access
from aduan.core.roles import Role
from aduan.directory.models import Category
from aduan.directory.services import category_code
from aduan.intake.models import Attachment, Report
from aduan.intake.services import Submitted, report_submit
from aduan.intake.uploads import attachment_store, upload_check
from aduan.workflow.services import report_act

CITIZEN = Actor(role=Role.CITIZEN, label="Pelapor")
KESEHATAN = category_code("KESEHATAN")
PUPR = category_code("PEKERJAAN UMUM DAN PENATAAN RUANG")


def submit(**overrides: Any) -> Submitted:
    data: dict[str, Any] = {
        "actor": CITIZEN,
        "channel": "web",
        "kind": "pengaduan",
        "title": "Puskesmas tutup di jam layanan",
        "description": "Puskesmas Babadan tutup pukul 10.00 padahal jadwal sampai 14.00.",
        "region": "35.02.17",
        "name": "Siti Aminah",
        "phone": "081234567890",
        "email": "siti@example.org",
    }
    data.update(overrides)
    return report_submit(**data)


def owner(report: Report) -> Actor:
    return citizen_with_access(report.pk)


def act(actor: Actor, report: Report, action: str, **params: Any) -> Report:
    report_act(actor=actor, report_id=report.pk, action=action, params=params)
    report.refresh_from_db()
    return report


def verified(
    coordinator: Actor,
    *,
    classification: str = "pengaduan_tidak_berkadar_pengawasan",
    category: str = KESEHATAN,
    **kw: Any,
) -> Report:
    report = submit(**kw).report
    return act(coordinator, report, "verify", classification=classification, category=category)


def disposed(
    coordinator: Actor, lead: str = "dinkes", supporting: list[str] | None = None, **kw: Any
) -> Report:
    report = verified(coordinator, **kw)
    return act(
        coordinator,
        report,
        "dispose",
        lead=lead,
        supporting=supporting or [],
        instruction="Mohon ditindaklanjuti.",
    )


def category(code: str) -> Category:
    return Category.objects.get(code=code)


__all__ = ["SYSTEM", "act", "category", "disposed", "owner", "submit", "verified"]


def attach(
    report: Report,
    data: bytes,
    name: str,
    *,
    keep_location: bool = False,
    follow_up_id: int | None = None,
) -> Attachment:
    """One file through the upload pipeline, stored on the report (as every channel does it)."""
    checked = upload_check(io.BytesIO(data), name=name, keep_location=keep_location)
    return attachment_store(report=report, checked=checked, follow_up_id=follow_up_id)
