"""The one writer of a report's state: `report_act` applies the transition table, audited.

Every change goes the same way: lock the report row, check the action against the table, the
actor's role and scope, validate the action's input, apply it, set the deadline of the next
step and write one ReportEvent, all in one transaction; notifications leave after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from aduan.core.roles import Role
from aduan.directory.models import Agency, Category
from aduan.intake.models import ArchiveReason, Classification, ClosedBy, Report, Status, Step
from aduan.sla.calendar import WorkingCalendar, follow_up_limit, limit
from aduan.workflow.models import AgencyReturn, CitizenMessage, Disposition, FollowUp, Rating, ReportEvent
from aduan.workflow.transitions import LEAD_ONLY, SCOPES, TRANSITIONS, Action, Scope, Transition

MAX_NOTE = 10_000


@dataclass
class Change:
    """What an action handler decided: the note for the audit trail, extra data, fields touched."""

    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)


Handler = Callable[[Report, Actor, dict[str, Any], dt.datetime], Change]
_HANDLERS: dict[Action, Handler] = {}
# Callables(event) run inside the action's transaction, after the event is written (cheap
# bookkeeping that must commit or roll back with the action), and after a successful commit.
in_transaction_hooks: list[Callable[[ReportEvent], None]] = []
after_commit_hooks: list[Callable[[ReportEvent], None]] = []


def _handler(action: Action) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[action] = fn
        return fn

    return register


# --- input helpers ---------------------------------------------------------------------------


def _text(params: dict[str, Any], key: str, *, required: bool, label: str, max_length: int = MAX_NOTE) -> str:
    value = params.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label} harus berupa teks.", code=f"invalid_{key}", field=key)
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{label} wajib diisi.", code=f"{key}_required", field=key)
    if len(value) > max_length:
        raise InvalidInput(
            f"{label} terlalu panjang (maksimal {max_length} karakter).", code=f"{key}_too_long", field=key
        )
    return value


def _agency(code: Any, *, field_name: str) -> Agency:
    if not isinstance(code, str) or not code:
        raise InvalidInput("Kode instansi wajib diisi.", code=f"{field_name}_required", field=field_name)
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


# --- deadlines --------------------------------------------------------------------------------


def _start_step(report: Report, step: Step, days: int, now: dt.datetime, calendar: WorkingCalendar) -> Change:
    report.step = step
    report.step_started_at = now
    report.due_at = calendar.due_at(now, days)
    report.reminder_sent_at = None
    report.escalation_level = 0
    return Change(fields={"step", "step_started_at", "due_at", "reminder_sent_at", "escalation_level"})


def _clear_step(report: Report) -> Change:
    report.step = ""
    report.step_started_at = None
    report.due_at = None
    report.paused_working_days = None
    return Change(fields={"step", "step_started_at", "due_at", "paused_working_days"})


def _schedule(report: Report, action: Action, now: dt.datetime) -> set[str]:
    """Set the deadline of the step the report is now in (DOMAIN.md §4)."""
    calendar = WorkingCalendar.load()
    status = report.status
    if status in (Status.SELESAI, Status.DIARSIPKAN):
        return _clear_step(report).fields
    if status == Status.DITUNDA:
        # The verification clock pauses: keep the working days it had left.
        remaining = limit("verification")
        if report.due_at is not None:
            remaining = max(
                1, calendar.working_days_between(clock.local_date(now), clock.local_date(report.due_at))
            )
        report.paused_working_days = remaining
        return _start_step(report, Step.CLARIFICATION, limit("clarification"), now, calendar).fields | {
            "paused_working_days"
        }
    if status == Status.BELUM_TERVERIFIKASI:
        days = (
            report.paused_working_days
            if action == Action.RESUME and report.paused_working_days
            else limit("verification")
        )
        report.paused_working_days = None
        return _start_step(report, Step.VERIFICATION, days, now, calendar).fields | {"paused_working_days"}
    if status == Status.TERVERIFIKASI and action == Action.RETURN:
        return _start_step(report, Step.RETURNED, limit("returned"), now, calendar).fields
    if status == Status.TERDISPOSISI and action in (Action.DISPOSE, Action.REDISPOSE):
        return _start_step(
            report, Step.FOLLOW_UP, follow_up_limit(report.classification), now, calendar
        ).fields
    if status == Status.DITANGGAPI_PELAPOR and action in (Action.REPLY, Action.REOPEN):
        return _start_step(
            report, Step.FOLLOW_UP, follow_up_limit(report.classification), now, calendar
        ).fields
    if status == Status.DITINDAKLANJUTI and action == Action.FOLLOW_UP:
        return _start_step(report, Step.REPLY_WINDOW, limit("reply_window"), now, calendar).fields
    return set()


# --- the service ------------------------------------------------------------------------------


def _agency_id(actor: Actor) -> int:
    # _check_scope has already refused agency roles without an agency.
    if actor.agency_id is None:
        raise PermissionDenied("Akun Anda tidak terhubung ke instansi.", code="no_agency")
    return actor.agency_id


def _check_scope(report: Report, actor: Actor, transition: Transition) -> None:
    scope = SCOPES[actor.role]
    if scope is Scope.ANY:
        return
    if scope is Scope.REPORTER:
        owns = report.pk in actor.report_ids or (
            actor.user is not None
            and report.reporter is not None
            and report.reporter.user_id == actor.user.pk
        )
        if not owns:
            raise PermissionDenied("Laporan ini bukan milik Anda.", code="not_your_report")
        return
    # Agency roles: only reports actively disposed to their agency; some actions only for the lead.
    if actor.agency_id is None:
        raise PermissionDenied("Akun Anda tidak terhubung ke instansi.", code="not_your_report")
    dispositions = Disposition.objects.filter(report=report, agency_id=actor.agency_id, is_active=True)
    if not dispositions.exists():
        raise PermissionDenied("Laporan ini tidak didisposisikan ke instansi Anda.", code="not_your_report")
    if transition.action in LEAD_ONLY and not dispositions.filter(is_lead=True).exists():
        raise PermissionDenied(
            "Hanya instansi penanggung jawab utama yang dapat melakukan tindakan ini.", code="not_lead_agency"
        )


def report_act(
    *, actor: Actor, report_id: int, action: str, params: dict[str, Any] | None = None
) -> ReportEvent:
    """Apply one lifecycle action to a report, or raise a DomainError naming why not."""
    try:
        act = Action(action)
    except ValueError:
        raise InvalidInput(f"Tindakan {action!r} tidak dikenal.", code="unknown_action") from None
    if act is Action.SUBMIT:
        raise InvalidInput("Laporan baru dibuat lewat report_submit.", code="unknown_action")
    transition = TRANSITIONS[act]
    params = dict(params or {})
    with transaction.atomic():
        # Lock the row: two admins acting at once must not both pass the state check.
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("reporter")
            .filter(pk=report_id)
            .first()
        )
        if report is None:
            raise NotFound("Laporan tidak ditemukan.", code="report_not_found")
        if actor.role not in transition.roles:
            raise PermissionDenied(
                f"Peran {actor.role.label} tidak boleh melakukan tindakan {act.value}.",
                code="role_not_allowed",
            )
        _check_scope(report, actor, transition)
        if report.status not in transition.sources:
            raise TransitionNotAllowed(
                f"Tindakan {act.value} tidak dapat dilakukan pada laporan berstatus {report.get_status_display()} "
                f"({report.status}).",
                code="transition_not_allowed",
                status=report.status,
                action=act.value,
            )
        now = clock.now()
        from_status = report.status
        change = _HANDLERS[act](report, actor, params, now)
        if transition.target is not None:
            report.status = transition.target
        report.updated_at = now
        fields = change.fields | {"status", "updated_at"}
        if report.status != from_status or act is Action.REDISPOSE:  # a new lead gets a new clock
            fields |= _schedule(report, act, now)
        report.save(update_fields=sorted(fields))
        event = ReportEvent.objects.create(
            report=report,
            action=act.value,
            from_status=from_status,
            to_status=report.status,
            actor_user=actor.user,
            actor_role=actor.role.value,
            actor_agency_id=actor.agency_id,
            note=change.note,
            is_public=transition.public,
            data=change.data,
            created_at=now,
        )
        _run_in_transaction(event)
        transaction.on_commit(lambda: _run_after_commit(event))
    return event


def open_report(*, report: Report, actor: Actor, now: dt.datetime) -> ReportEvent:
    """The `submit` row of the table: sets the first state and deadline of a new, unsaved report,
    inserts it and writes its event. Called by intake's report_submit inside its transaction."""
    transition = TRANSITIONS[Action.SUBMIT]
    if actor.role not in transition.roles:
        raise PermissionDenied(
            f"Peran {actor.role.label} tidak boleh membuat laporan.", code="role_not_allowed"
        )
    report.status = Status.BELUM_TERVERIFIKASI
    _schedule(report, Action.SUBMIT, now)
    report.save(force_insert=True)  # one INSERT with state and deadline already set
    event = ReportEvent.objects.create(
        report=report,
        action=Action.SUBMIT.value,
        from_status="",
        to_status=report.status,
        actor_user=actor.user,
        actor_role=actor.role.value,
        actor_agency_id=actor.agency_id,
        note="",
        is_public=True,
        data={"channel": report.channel},
        created_at=now,
    )
    _run_in_transaction(event)
    transaction.on_commit(lambda: _run_after_commit(event))
    return event


def _run_in_transaction(event: ReportEvent) -> None:
    for hook in in_transaction_hooks:
        hook(event)


def _run_after_commit(event: ReportEvent) -> None:
    for hook in after_commit_hooks:
        hook(event)


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
    title = _text(params, "title", required=False, label="Judul", max_length=200)
    if title and title != report.title:
        report.edited_title = title
        fields.add("edited_title")
    text = _text(params, "text", required=False, label="Isi laporan", max_length=20_000)
    if text and text != report.original_text:
        # The citizen's original stays; the coordinator's edit sits beside it.
        report.edited_text = text
        fields.add("edited_text")
    if fields & {"edited_title", "edited_text"}:
        # Search what staff are shown: a name the coordinator edited out must not find the report.
        from aduan.intake.search import stem_for_search

        report.search_text = stem_for_search(f"{report.display_title} {report.display_text}")
        fields.add("search_text")
    for flag, attr in (("anonymous", "is_anonymous"), ("confidential", "is_confidential")):
        value = _bool(params, flag)
        if value is not None:
            setattr(report, attr, value)
            fields.add(attr)
    return Change(
        note=_text(params, "note", required=False, label="Catatan"),
        data={"classification": classification, "category": category.code},
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
    original = Report.objects.filter(tracking_number=str(number).strip()).first()
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
    supporting_codes = params.get("supporting") or []
    if not isinstance(supporting_codes, list):
        raise InvalidInput(
            "Instansi pendukung harus berupa daftar kode.", code="invalid_supporting", field="supporting"
        )
    supporting = []
    for code in supporting_codes:
        agency = _agency(code, field_name="supporting")
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


assert set(_HANDLERS) == set(TRANSITIONS) - {Action.SUBMIT}, "every action in the table needs a handler"
