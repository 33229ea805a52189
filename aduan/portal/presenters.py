"""What the citizen and the public read about a report: labels, timeline lines, badges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from aduan.directory.models import Agency
from aduan.intake.models import ArchiveReason, ClosedBy, Report, Status
from aduan.notifications.texts import format_due
from aduan.workflow.models import ReportEvent
from aduan.workflow.selectors import forwarding_active
from aduan.workflow.transitions import transition_for

# Actions whose note the reporter wrote or must read (the question asked, their own answers).
_OWNER_NOTES = {"hold", "resume", "reply", "reopen", "rate", "close"}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    label: str
    detail: str


def status_badge(status: str) -> str:
    if status == Status.SELESAI:
        return "badge-done"
    if status == Status.DIARSIPKAN:
        return "badge-archived"
    return "badge-open"


def timeline(events: Iterable[ReportEvent], *, for_owner: bool) -> list[TimelineEntry]:
    """Public timeline lines; the owner also sees the question asked and their own words.

    The public page never shows notes: a citizen's reply may name people, and staff notes are
    written for the reporter, not for everyone.
    """
    events = list(events)
    codes = {
        e.data.get(key)
        for e in events
        if isinstance(e.data, dict)
        for key in ("lead", "agency")
        if isinstance(e.data.get(key), str)
    }
    agencies = dict(Agency.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    entries = []
    for event in events:
        transition = transition_for(event.action)
        label = transition.label if transition else event.action
        detail = ""
        data = event.data if isinstance(event.data, dict) else {}
        if event.action in ("dispose", "redispose") and data.get("lead") in agencies:
            label = _("Terdisposisi ke %(agency)s") % {"agency": agencies[data["lead"]]}
        elif event.action == "forward" and data.get("agency") in agencies:
            label = _("Diteruskan ke %(agency)s") % {"agency": agencies[data["agency"]]}
        elif (
            event.action == "forward_update"
            and data.get("agency") in agencies
            and data.get("status") in Status.values
        ):
            # What the peer installation now handling it did, under that agency's name.
            label = _("%(agency)s: %(status)s") % {
                "agency": agencies[data["agency"]],
                "status": Status(data["status"]).label,
            }
        elif event.action == "archive" and data.get("reason") in ArchiveReason.values:
            detail = str(ArchiveReason(data["reason"]).label)
        elif event.action == "complete" and data.get("closed_by") in ClosedBy.values:
            label = str(ClosedBy(data["closed_by"]).label)
        elif event.action == "rate" and data.get("score"):
            label = _("Penilaian pelapor: %(score)s dari 5") % {"score": data["score"]}
        elif event.action == "mark_duplicate" and data.get("duplicate_of"):
            detail = _("Digabung dengan laporan %(number)s.") % {"number": data["duplicate_of"]}
        if for_owner and event.action in _OWNER_NOTES and event.note:
            detail = event.note
        entries.append(TimelineEntry(at=event.created_at, label=str(label), detail=detail))
    return entries


def state_explanation(report: Report) -> str:
    """What the reporter's report is waiting for, in one or two plain sentences."""
    agency = report.lead_agency.name if report.lead_agency_id else _("instansi")  # type: ignore[union-attr]
    due = format_due(report.due_at)
    status = report.status
    if status == Status.BELUM_TERVERIFIKASI:
        return _("Admin koordinator sedang memeriksa laporan Anda, paling lambat %(due)s.") % {"due": due}
    if status == Status.DITUNDA:
        return _(
            "Petugas memerlukan keterangan tambahan dari Anda (lihat pertanyaannya di bawah). Jawab sebelum "
            "%(due)s; tanpa jawaban laporan akan diarsipkan."
        ) % {"due": due}
    if status == Status.TERVERIFIKASI and report.is_returned:
        return _(
            "Instansi yang ditunjuk menyatakan laporan ini bukan kewenangannya. Admin koordinator sedang "
            "meneruskannya ke instansi yang berwenang; laporan Anda tidak dihentikan."
        )
    if status == Status.TERVERIFIKASI:
        return _("Laporan Anda sudah diverifikasi dan segera diteruskan ke instansi yang berwenang.")
    if status == Status.TERDISPOSISI:
        return _("%(agency)s sedang menangani laporan Anda; tindak lanjut paling lambat %(due)s.") % {
            "agency": agency,
            "due": due,
        }
    if status == Status.DITINDAKLANJUTI:
        return _(
            "%(agency)s sudah menindaklanjuti laporan Anda. Baca tindak lanjutnya di bawah, lalu nyatakan "
            "selesai, beri penilaian, atau tanggapi bila belum puas sebelum %(due)s. Tanpa tanggapan, "
            "laporan ditutup oleh sistem."
        ) % {"agency": agency, "due": due}
    if status == Status.DITANGGAPI_PELAPOR:
        return _("Tanggapan Anda sudah diteruskan; %(agency)s wajib menjawab lagi paling lambat %(due)s.") % {
            "agency": agency,
            "due": due,
        }
    if status == Status.DITERUSKAN:
        forwarding = forwarding_active(report)
        if forwarding is not None:
            remote = forwarding.remote_status
            return _(
                "Laporan Anda diteruskan ke %(agency)s, yang berwenang, dan kini ditangani di sana "
                "(status: %(status)s). Semua kabar tetap tampil di halaman ini dengan nomor yang sama; "
                "tanggapan Anda dari sini diteruskan ke sana."
            ) % {
                "agency": forwarding.agency.name,
                "status": Status(remote).label if remote in Status.values else _("sedang dikirim"),
            }
        return _("Laporan ini diteruskan ke instansi lain yang berwenang.")
    if status == Status.SELESAI:
        closed = {
            ClosedBy.CITIZEN.value: _("Anda menyatakan laporan ini selesai."),
            ClosedBy.AGENCY.value: _("Instansi menyatakan laporan ini selesai."),
            ClosedBy.COORDINATOR.value: _("Laporan ini ditutup oleh admin koordinator."),
            ClosedBy.SYSTEM.value: _(
                "Laporan ini ditutup oleh sistem karena tidak ada tanggapan dalam batas waktu."
            ),
        }
        return str(closed.get(report.closed_by, _("Laporan ini selesai.")))
    if report.duplicate_of_id:
        return _("Laporan ini digabung dengan laporan lain tentang masalah yang sama.")
    reason = (
        str(ArchiveReason(report.archive_reason).label)
        if report.archive_reason in ArchiveReason.values
        else ""
    )
    return (
        _("Laporan ini diarsipkan: %(reason)s.") % {"reason": reason}
        if reason
        else _("Laporan ini diarsipkan.")
    )


def location_label(report: Report) -> str:
    parts = [r.name.title() for r in (report.desa, report.kecamatan) if r is not None]
    return ", ".join(parts)
