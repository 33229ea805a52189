"""What each lifecycle action does to a report, its input checked: one handler per action of the
transition table. Only `aduan.workflow.services.report_act` calls them, inside its transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from aduan.core.actors import Actor
from aduan.core.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from aduan.core.roles import Role
from aduan.core.text import normalize_text
from aduan.directory.models import Agency, Category
from aduan.intake.models import ArchiveReason, Classification, ClosedBy, Report, Status, access_code_digest
from aduan.sla.calendar import WorkingCalendar, limit
from aduan.workflow.models import AgencyReturn, CitizenMessage, Disposition, FollowUp, Forwarding, Rating
from aduan.workflow.transitions import TRANSITIONS, Action

MAX_NOTE = 10_000


@dataclass
class Change:
    """What an action handler decided: the note for the audit trail, extra data, fields touched."""

    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)


Handler = Callable[[Report, Actor, dict[str, Any], dt.datetime], Change]
HANDLERS: dict[Action, Handler] = {}


def _handler(action: Action) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[action] = fn
        return fn

    return register


# --- input helpers ---------------------------------------------------------------------------


def _text(
    params: dict[str, Any],
    key: str,
    *,
    required: bool,
    label: str,
    max_length: int = MAX_NOTE,
    multiline: bool = True,
) -> str:
    return normalize_text(
        params.get(key), field=key, label=label, max_length=max_length, required=required, multiline=multiline
    )


def _agency(code: Any, *, field_name: str) -> Agency:
    if not isinstance(code, str) or not code:
        raise InvalidInput("Kode instansi wajib diisi.", code=f"{field_name}_required", field=field_name)
    code = normalize_text(code, field=field_name, label="Kode instansi")
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise InvalidInput(
            f"Instansi dengan kode {code!r} tidak dikenal.", code="unknown_agency", field=field_name
        )
    return agency


def _bool(params: dict[str, Any], key: str) -> bool | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "1", "on", "ya"}:
        return True
    if isinstance(value, str) and value.lower() in {"false", "0", "off", "tidak", ""}:
        return False
    raise InvalidInput(f"Nilai {key} harus ya/tidak.", code=f"invalid_{key}", field=key)


def _agency_id(actor: Actor) -> int:
    # _check_scope has already refused agency roles without an agency.
    if actor.agency_id is None:
        raise PermissionDenied("Akun Anda tidak terhubung ke instansi.", code="no_agency")
    return actor.agency_id


# --- action handlers ---------------------------------------------------------------------------


@_handler(Action.HOLD)
def _hold(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    question = _text(params, "question", required=True, label="Pertanyaan klarifikasi")
    report.clarification_question = question
    return Change(note=question, fields={"clarification_question"})


@_handler(Action.RESUME)
def _resume(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    answer = _text(params, "answer", required=actor.role == Role.CITIZEN, label="Jawaban klarifikasi")
    if answer:
        CitizenMessage.objects.create(
            report=report, kind=CitizenMessage.Kind.CLARIFICATION, text=answer, created_at=now
        )
    return Change(note=answer)


@_handler(Action.EXPIRE_HOLD)
def _expire_hold(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    report.archive_reason = ArchiveReason.INCOMPLETE
    report.archived_at = now
    return Change(
        note="Klarifikasi tidak dijawab dalam batas waktu.",
        data={"reason": ArchiveReason.INCOMPLETE.value},
        fields={"archive_reason", "archived_at"},
    )


@_handler(Action.VERIFY)
def _verify(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    classification = params.get("classification")
    if classification not in Classification.values:
        raise InvalidInput(
            "Klasifikasi wajib dipilih: " + ", ".join(Classification.values) + ".",
            code="classification_required" if not classification else "invalid_classification",
            field="classification",
        )
    category_code = params.get("category")
    if category_code is not None and not isinstance(category_code, str):
        category_code = str(category_code)
    category_code = normalize_text(category_code, field="category", label="Kategori")
    if not category_code:
        raise InvalidInput("Kategori wajib dipilih.", code="category_required", field="category")
    category = Category.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        raise InvalidInput(
            f"Kategori {category_code!r} tidak dikenal.", code="unknown_category", field="category"
        )
    fields = {"classification", "category", "verified_at"}
    report.classification = classification
    report.category = category
    report.verified_at = report.verified_at or now
    if params.get("region"):
        from aduan.intake.services import resolve_region

        kecamatan, desa = resolve_region(str(params["region"]))
        report.region = desa or kecamatan
        report.kecamatan, report.desa = kecamatan, desa
        fields |= {"region", "kecamatan", "desa"}
    title = _text(params, "title", required=False, label="Judul", max_length=200, multiline=False)
    if title and title != report.title:
        report.edited_title = title
        fields.add("edited_title")
    text = _text(params, "text", required=False, label="Isi laporan", max_length=20_000)
    if text and text != report.original_text:
        # The citizen's original stays; the coordinator's edit sits beside it.
        report.edited_text = text
        fields.add("edited_text")
    for flag, attr in (("anonymous", "is_anonymous"), ("confidential", "is_confidential")):
        value = _bool(params, flag)
        if value is not None:
            setattr(report, attr, value)
            fields.add(attr)
    # The report becomes public here: derive the masked text every public output reads.
    fields |= report.derive_public_text()
    if report.is_anonymous or fields & {"edited_title", "edited_text"}:
        # Search what staff are shown: a name the coordinator edited out must not find the report,
        # nor can OPD and pimpinan find an anonymous report by its reporter's name (they read it
        # masked: IdentityMaskedReport), so its shadow is the masked text.
        from aduan.intake.search import stem_for_search

        if report.is_anonymous:
            searched = f"{report.public_title} {report.public_text}"
        else:
            searched = f"{report.display_title} {report.display_text}"
        report.search_text = stem_for_search(searched)
        fields.add("search_text")
    return Change(
        note=_text(params, "note", required=False, label="Catatan"),
        # The audit says whether the coordinator edited the citizen's words (e.g. redacted them);
        # the original stays in title/original_text, for the coordinator only.
        data={
            "classification": classification,
            "category": category.code,
            "text_edited": bool(fields & {"edited_title", "edited_text"}),
        },
        fields=fields,
    )


def _archive_reason(params: dict[str, Any]) -> str:
    reason = params.get("reason")
    if reason not in ArchiveReason.values or reason == ArchiveReason.DUPLICATE:
        choices = ", ".join(v for v in ArchiveReason.values if v != ArchiveReason.DUPLICATE)
        raise InvalidInput(
            f"Alasan pengarsipan wajib dipilih: {choices}.", code="archive_reason_required", field="reason"
        )
    return str(reason)


@_handler(Action.ARCHIVE)
def _archive(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    reason = _archive_reason(params)
    note = _text(params, "note", required=reason == ArchiveReason.OTHER, label="Keterangan")
    report.archive_reason = reason
    report.archived_at = now
    report.is_returned = False
    return Change(note=note, data={"reason": reason}, fields={"archive_reason", "archived_at", "is_returned"})


@_handler(Action.MARK_DUPLICATE)
def _mark_duplicate(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    number = params.get("of")
    if not number:
        raise InvalidInput("Nomor laporan asli wajib diisi.", code="duplicate_of_required", field="of")
    number = normalize_text(str(number), field="of", label="Nomor laporan asli")
    original = Report.objects.filter(tracking_number=number).first()
    if original is None:
        raise InvalidInput(f"Laporan {number} tidak ditemukan.", code="unknown_report", field="of")
    # Follow the chain so the reporter follows the report that is actually being handled.
    while original.duplicate_of_id is not None:
        original = Report.objects.get(pk=original.duplicate_of_id)
    if original.pk == report.pk:
        raise InvalidInput(
            "Laporan tidak bisa menjadi duplikat dirinya sendiri.", code="duplicate_of_self", field="of"
        )
    if original.status == Status.DIARSIPKAN:
        raise InvalidInput(
            "Laporan asli sudah diarsipkan; pilih laporan yang masih ditangani.",
            code="duplicate_of_archived",
            field="of",
        )
    report.duplicate_of = original
    report.archive_reason = ArchiveReason.DUPLICATE
    report.archived_at = now
    report.is_returned = False
    return Change(
        note=f"Duplikat dari laporan {original.tracking_number}; pelapor mengikuti laporan tersebut.",
        data={"duplicate_of": original.tracking_number, "reason": ArchiveReason.DUPLICATE.value},
        fields={"duplicate_of", "archive_reason", "archived_at", "is_returned"},
    )


def _dispose_to(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    lead = _agency(params.get("lead"), field_name="lead")
    if lead.kind == Agency.Kind.EXTERNAL:
        # Nobody here can act for another installation's agency: that is a forward, not a disposition.
        raise InvalidInput(
            "Instansi ini berada di instalasi lain: gunakan tindakan Teruskan.",
            code="agency_external",
            field="lead",
        )
    supporting_codes = params.get("supporting") or []
    if not isinstance(supporting_codes, list):
        raise InvalidInput(
            "Instansi pendukung harus berupa daftar kode.", code="invalid_supporting", field="supporting"
        )
    supporting = []
    for code in supporting_codes:
        agency = _agency(code, field_name="supporting")
        if agency.kind == Agency.Kind.EXTERNAL:
            raise InvalidInput(
                "Instansi di instalasi lain tidak dapat menjadi pendukung.",
                code="agency_external",
                field="supporting",
            )
        if agency.pk != lead.pk and agency not in supporting:
            supporting.append(agency)
    if report.classification == Classification.BERKADAR_PENGAWASAN:
        if not any(a.kind == Agency.Kind.APIP for a in [lead, *supporting]):
            raise InvalidInput(
                "Pengaduan berkadar pengawasan wajib didisposisikan juga ke APIP (Inspektorat).",
                code="apip_required",
                field="supporting",
            )
    instruction = _text(params, "instruction", required=False, label="Instruksi")
    Disposition.objects.filter(report=report, is_active=True).update(
        is_active=False, state=Disposition.State.WITHDRAWN, ended_at=now
    )
    try:
        with transaction.atomic():
            Disposition.objects.create(
                report=report,
                agency=lead,
                is_lead=True,
                instruction=instruction,
                created_by=actor.user,
                created_at=now,
            )
            for agency in supporting:
                Disposition.objects.create(
                    report=report,
                    agency=agency,
                    instruction=instruction,
                    created_by=actor.user,
                    created_at=now,
                )
    except IntegrityError:  # the partial unique index is the last guard against two leads
        raise TransitionNotAllowed("Laporan sudah memiliki instansi utama.", code="lead_exists") from None
    AgencyReturn.objects.filter(report=report, resolved_at__isnull=True).update(resolved_at=now)
    report.lead_agency = lead
    report.is_returned = False
    report.first_disposed_at = report.first_disposed_at or now
    names = ", ".join(str(a) for a in supporting)
    return Change(
        note=f"Instansi utama: {lead.name}" + (f"; pendukung: {names}" if names else ""),
        data={"lead": lead.code, "supporting": [a.code for a in supporting], "instruction": instruction},
        fields={"lead_agency", "is_returned", "first_disposed_at"},
    )


_handler(Action.DISPOSE)(_dispose_to)
_handler(Action.REDISPOSE)(_dispose_to)


@_handler(Action.ACCEPT)
def _accept(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    Disposition.objects.filter(
        report=report, agency_id=_agency_id(actor), is_active=True, state=Disposition.State.NEW
    ).update(state=Disposition.State.ACCEPTED)
    return Change(note=_text(params, "note", required=False, label="Catatan"))


@_handler(Action.RETURN)
def _return(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    reason = _text(params, "reason", required=True, label="Alasan bukan kewenangan")
    proposed = _agency(params.get("proposed_agency"), field_name="proposed_agency")
    if proposed.pk == actor.agency_id:
        raise InvalidInput(
            "Instansi yang diusulkan tidak boleh instansi Anda sendiri.",
            code="proposed_self",
            field="proposed_agency",
        )
    AgencyReturn.objects.create(
        report=report,
        agency_id=_agency_id(actor),
        proposed_agency=proposed,
        reason=reason,
        created_by=actor.user,
        created_at=now,
    )
    Disposition.objects.filter(report=report, is_active=True).update(
        is_active=False, state=Disposition.State.RETURNED, ended_at=now
    )
    # Never a dead end: back on the coordinator's queue, flagged, with its own deadline.
    report.is_returned = True
    report.lead_agency = None
    return Change(
        note=reason,
        data={"proposed_agency": proposed.code, "agency": Agency.objects.get(pk=_agency_id(actor)).code},
        fields={"is_returned", "lead_agency"},
    )


def _own_follow_up(report: Report, actor: Actor, params: dict[str, Any]) -> FollowUp:
    follow_up_id = params.get("follow_up_id")
    follow_up = (
        FollowUp.objects.filter(pk=follow_up_id, report=report, agency_id=_agency_id(actor)).first()
        if follow_up_id
        else None
    )
    if follow_up is None:
        raise InvalidInput(
            "Draf tindak lanjut tidak ditemukan.", code="follow_up_not_found", field="follow_up_id"
        )
    return follow_up


@_handler(Action.DRAFT_FOLLOW_UP)
def _draft_follow_up(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    text = _text(params, "text", required=True, label="Tindak lanjut", max_length=20_000)
    is_public = _bool(params, "public")
    follow_up = FollowUp.objects.create(
        report=report,
        agency_id=_agency_id(actor),
        author=actor.user,
        text=text,
        is_public=True if is_public is None else is_public,
        state=FollowUp.State.DRAFT,
        created_at=now,
    )
    return Change(note="Draf tindak lanjut dibuat.", data={"follow_up_id": follow_up.pk})


@_handler(Action.APPROVE_FOLLOW_UP)
def _approve_follow_up(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    follow_up = _own_follow_up(report, actor, params)
    if follow_up.state not in (FollowUp.State.DRAFT,):
        raise TransitionNotAllowed("Hanya draf yang dapat disetujui.", code="follow_up_not_draft")
    follow_up.state, follow_up.approved_by, follow_up.approved_at = FollowUp.State.APPROVED, actor.user, now
    follow_up.save(update_fields=["state", "approved_by", "approved_at"])
    return Change(note="Draf tindak lanjut disetujui.", data={"follow_up_id": follow_up.pk})


@_handler(Action.SEND_BACK_FOLLOW_UP)
def _send_back_follow_up(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    follow_up = _own_follow_up(report, actor, params)
    if follow_up.state != FollowUp.State.DRAFT:
        raise TransitionNotAllowed("Hanya draf yang dapat dikembalikan.", code="follow_up_not_draft")
    note = _text(params, "note", required=True, label="Catatan perbaikan")
    follow_up.state = FollowUp.State.SENT_BACK
    follow_up.save(update_fields=["state"])
    return Change(note=note, data={"follow_up_id": follow_up.pk})


@_handler(Action.FOLLOW_UP)
def _follow_up(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    agency = Agency.objects.get(pk=_agency_id(actor))
    if params.get("follow_up_id"):
        follow_up = _own_follow_up(report, actor, params)
        if follow_up.state == FollowUp.State.PUBLISHED:
            raise TransitionNotAllowed("Tindak lanjut ini sudah dipublikasikan.", code="follow_up_published")
    else:
        text = _text(params, "text", required=True, label="Tindak lanjut", max_length=20_000)
        follow_up = FollowUp(
            report=report, agency=agency, author=actor.user, text=text, is_public=True, created_at=now
        )
    needs_approval = agency.requires_approval and actor.role != Role.LIAISON_OFFICER
    if needs_approval and follow_up.state != FollowUp.State.APPROVED:
        raise TransitionNotAllowed(
            "Tindak lanjut instansi ini harus disetujui pejabat penghubung sebelum dipublikasikan.",
            code="approval_required",
        )
    if not follow_up.is_public:
        raise InvalidInput("Catatan internal tidak dipublikasikan ke pelapor.", code="follow_up_internal")
    follow_up.state = FollowUp.State.PUBLISHED
    follow_up.published_at = now
    follow_up.derive_public_text(report)
    follow_up.save()
    Disposition.objects.filter(report=report, agency=agency, is_active=True).update(
        state=Disposition.State.FOLLOWED_UP
    )
    report.first_follow_up_at = report.first_follow_up_at or now
    return Change(
        note=follow_up.text,
        data={"follow_up_id": follow_up.pk, "agency": agency.code},
        fields={"first_follow_up_at"},
    )


@_handler(Action.REPLY)
def _reply(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    text = _text(params, "text", required=True, label="Tanggapan")
    CitizenMessage.objects.create(report=report, kind=CitizenMessage.Kind.REPLY, text=text, created_at=now)
    return Change(note=text)


def _complete_as(report: Report, closed_by: ClosedBy, now: dt.datetime, note: str) -> Change:
    report.closed_by = closed_by
    report.completed_at = now
    Disposition.objects.filter(report=report, is_active=True).update(state=Disposition.State.DONE)
    return Change(note=note, data={"closed_by": closed_by.value}, fields={"closed_by", "completed_at"})


@_handler(Action.COMPLETE)
def _complete(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    by = {Role.CITIZEN: ClosedBy.CITIZEN, Role.COORDINATOR: ClosedBy.COORDINATOR}.get(
        actor.role, ClosedBy.AGENCY
    )
    return _complete_as(report, by, now, _text(params, "note", required=False, label="Catatan"))


@_handler(Action.AUTO_CLOSE)
def _auto_close(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    # Recorded as closed by the system, never as the citizen's satisfaction (DOMAIN.md §9.4).
    return _complete_as(report, ClosedBy.SYSTEM, now, "Tidak ada tanggapan pelapor dalam batas waktu.")


@_handler(Action.REOPEN)
def _reopen(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    if report.completed_at is not None:
        calendar = WorkingCalendar.load()
        window_end = calendar.due_at(report.completed_at, limit("reopen_window"))
        if now > window_end:
            raise TransitionNotAllowed(
                "Batas waktu membuka kembali laporan (10 hari kerja setelah selesai) sudah lewat.",
                code="reopen_window_passed",
            )
    if report.closed_by == ClosedBy.COORDINATOR and report.first_follow_up_at is None:
        raise TransitionNotAllowed(
            "Laporan yang ditutup admin tanpa tindak lanjut tidak dapat dibuka kembali.",
            code="reopen_not_possible",
        )
    text = _text(params, "reason", required=True, label="Alasan membuka kembali")
    CitizenMessage.objects.create(report=report, kind=CitizenMessage.Kind.REOPEN, text=text, created_at=now)
    report.reopen_count += 1
    report.closed_by = ""
    report.completed_at = None
    Disposition.objects.filter(report=report, is_active=True).update(state=Disposition.State.ACCEPTED)
    return Change(note=text, fields={"reopen_count", "closed_by", "completed_at"})


@_handler(Action.RATE)
def _rate(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    score = params.get("score")
    try:
        score_int = int(score)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        score_int = 0
    if not 1 <= score_int <= 5:
        raise InvalidInput("Nilai harus antara 1 dan 5.", code="invalid_score", field="score")
    comment = _text(params, "comment", required=False, label="Komentar", max_length=2000)
    Rating.objects.create(report=report, score=score_int, comment=comment, created_at=now)
    return Change(note=comment, data={"score": score_int})


@_handler(Action.CLOSE)
def _close(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    reason = _text(params, "reason", required=True, label="Alasan penutupan")
    report.is_returned = False
    change = _complete_as(report, ClosedBy.COORDINATOR, now, reason)
    change.fields.add("is_returned")
    return change


@_handler(Action.REMIND)
def _remind(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    report.reminder_sent_at = now
    return Change(
        note=f"Pengingat: batas waktu langkah {report.get_step_display()} mendekat.",
        data={"step": report.step, "due_at": report.due_at.isoformat() if report.due_at else None},
        fields={"reminder_sent_at"},
    )


@_handler(Action.ESCALATE)
def _escalate(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    try:
        level = int(params.get("level", 0))
    except (TypeError, ValueError):
        level = 0
    if level <= report.escalation_level or level > 3:
        raise InvalidInput(
            f"Tingkat eskalasi harus di atas tingkat sekarang ({report.escalation_level}).",
            code="invalid_escalation_level",
            field="level",
        )
    report.escalation_level = level
    return Change(
        note=f"Eskalasi tingkat {level}: batas waktu langkah {report.get_step_display()} terlewati.",
        data={
            "level": level,
            "step": report.step,
            "due_at": report.due_at.isoformat() if report.due_at else None,
        },
        fields={"escalation_level"},
    )


@_handler(Action.RESET_ACCESS_CODE)
def _reset_access_code(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    code = str(params.get("access_code") or "")
    if len(code.replace("-", "")) < 8:
        raise InvalidInput("Kode akses baru tidak sah.", code="invalid_access_code", field="access_code")
    report.access_code_digest = access_code_digest(code)
    sent_to = str(params.get("sent_to") or "")
    return Change(
        note="Kode akses baru dikirim atas permintaan pelapor; kode lama tidak berlaku.",
        data={"sent_to": sent_to},
        fields={"access_code_digest"},
    )


# --- federation (aduan.federation carries the messages; these are the state changes) -----------


def _active_forwarding(report: Report) -> Forwarding:
    forwarding = Forwarding.objects.filter(report=report, is_active=True).select_related("agency").first()
    if forwarding is None:
        raise TransitionNotAllowed("Laporan ini tidak sedang diteruskan.", code="not_forwarded")
    return forwarding


@_handler(Action.FORWARD)
def _forward(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    agency = _agency(params.get("agency"), field_name="agency")
    if agency.kind != Agency.Kind.EXTERNAL:
        raise InvalidInput(
            "Teruskan hanya ke instansi di instalasi lain; instansi sendiri didisposisikan.",
            code="agency_not_external",
            field="agency",
        )
    note = _text(params, "note", required=False, label="Catatan")
    Disposition.objects.filter(report=report, is_active=True).update(
        is_active=False, state=Disposition.State.WITHDRAWN, ended_at=now
    )
    AgencyReturn.objects.filter(report=report, resolved_at__isnull=True).update(resolved_at=now)
    Forwarding.objects.create(report=report, agency=agency, note=note, created_by=actor.user, created_at=now)
    report.is_returned = False
    report.lead_agency = None
    return Change(
        note=f"Diteruskan ke {agency.name}.",
        data={"agency": agency.code, "note": note},
        fields={"is_returned", "lead_agency"},
    )


@_handler(Action.FORWARD_UPDATE)
def _forward_update(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    forwarding = _active_forwarding(report)
    status = params.get("status")
    if status not in Status.values or status == Status.DITERUSKAN:
        raise InvalidInput(
            "Status dari instansi penerima tidak dikenal.", code="invalid_status", field="status"
        )
    forwarding.remote_status = status
    forwarding.remote_tracking_number = str(params.get("tracking_number") or "")[:20]
    forwarding.save(update_fields=["remote_status", "remote_tracking_number"])
    note = _text(params, "note", required=False, label="Catatan")
    follow_up_text = _text(params, "follow_up", required=False, label="Tindak lanjut", max_length=20_000)
    data: dict[str, Any] = {"status": status, "agency": forwarding.agency.code}
    if follow_up_text:
        # The peer's published follow-up, shown to the citizen on this installation's tracking page.
        follow_up = FollowUp(
            report=report,
            agency=forwarding.agency,
            text=follow_up_text,
            is_public=True,
            state=FollowUp.State.PUBLISHED,
            published_at=now,
            created_at=now,
        )
        follow_up.derive_public_text(report)
        follow_up.save()
        data["follow_up_id"] = follow_up.pk
        note = follow_up_text
    label = _text(params, "label", required=False, label="Status", max_length=200, multiline=False)
    return Change(
        note=f"{forwarding.agency.name}: {label or Status(status).label}. {note}".strip(), data=data
    )


@_handler(Action.FORWARD_RETURNED)
def _forward_returned(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    forwarding = _active_forwarding(report)
    reason = _text(params, "reason", required=True, label="Alasan bukan kewenangan")
    forwarding.is_active = False
    forwarding.ended_at = now
    forwarding.save(update_fields=["is_active", "ended_at"])
    AgencyReturn.objects.create(report=report, agency=forwarding.agency, reason=reason, created_at=now)
    # Never a dead end: back on the coordinator's queue, flagged, with its own deadline.
    report.is_returned = True
    return Change(note=reason, data={"agency": forwarding.agency.code}, fields={"is_returned"})


@_handler(Action.RETURN_TO_ORIGIN)
def _return_to_origin(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    if report.channel != "instansi":
        raise TransitionNotAllowed(
            "Hanya laporan yang diteruskan instansi lain yang dapat dikembalikan ke asalnya.",
            code="not_from_peer",
        )
    reason = _text(params, "reason", required=True, label="Alasan bukan kewenangan")
    Disposition.objects.filter(report=report, is_active=True).update(
        is_active=False, state=Disposition.State.RETURNED, ended_at=now
    )
    AgencyReturn.objects.filter(report=report, resolved_at__isnull=True).update(resolved_at=now)
    report.is_returned = False
    report.lead_agency = None
    return Change(note=reason, data={"returned_to_origin": True}, fields={"is_returned", "lead_agency"})


# What a citizen may relay while the report is at a peer (the peer state each needs is its own
# transition's): answering the peer's clarification question too.
RELAYED = (Action.RESUME, Action.REPLY, Action.RATE, Action.REOPEN, Action.COMPLETE)


@_handler(Action.RELAY)
def _relay(report: Report, actor: Actor, params: dict[str, Any], now: dt.datetime) -> Change:
    forwarding = _active_forwarding(report)
    try:
        kind = Action(str(params.get("kind") or ""))
    except ValueError:
        kind = None
    if kind not in RELAYED:
        raise InvalidInput("Jenis tanggapan tidak dikenal.", code="invalid_relay_kind", field="kind")
    remote = forwarding.remote_status or Status.BELUM_TERVERIFIKASI
    relayed = TRANSITIONS[kind]
    if remote not in relayed.sources:
        raise TransitionNotAllowed(
            f"Tindakan {kind.value} belum dapat dilakukan pada status {Status(remote).label}.",
            code="transition_not_allowed",
            status=remote,
            action=kind.value,
        )
    data: dict[str, Any] = {"kind": kind.value}
    note = ""
    if kind is Action.RESUME:
        note = data["answer"] = _text(params, "answer", required=True, label="Jawaban klarifikasi")
        CitizenMessage.objects.create(
            report=report, kind=CitizenMessage.Kind.CLARIFICATION, text=note, created_at=now
        )
    elif kind is Action.REPLY:
        note = data["text"] = _text(params, "text", required=True, label="Tanggapan")
        CitizenMessage.objects.create(
            report=report, kind=CitizenMessage.Kind.REPLY, text=note, created_at=now
        )
    elif kind is Action.REOPEN:
        note = data["reason"] = _text(params, "reason", required=True, label="Alasan membuka kembali")
        CitizenMessage.objects.create(
            report=report, kind=CitizenMessage.Kind.REOPEN, text=note, created_at=now
        )
    elif kind is Action.RATE:
        change = _rate(report, actor, params, now)
        data |= {"score": change.data["score"], "comment": change.note}
        note = change.note
    # Until the peer answers, its state is what the relayed action leads to there: a second reply
    # before the first has arrived is refused here as it would be there.
    if relayed.target is not None:
        forwarding.remote_status = relayed.target
        forwarding.save(update_fields=["remote_status"])
    return Change(note=note, data=data)


assert set(HANDLERS) == set(TRANSITIONS) - {Action.SUBMIT}, "every action in the table needs a handler"
