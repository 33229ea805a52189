"""The one writer of a report's state: `report_act` applies the transition table, audited.

Every change goes the same way: lock the report row, check the action against the table, the
actor's role and scope, validate the action's input, apply it, set the deadline of the next
step and write one ReportEvent, all in one transaction; notifications leave after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import router, transaction
from django.db.models.signals import post_save

from aduan.core import bulkinsert, clock, rows
from aduan.core.actors import Actor
from aduan.core.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from aduan.intake.models import Report, Status, Step
from aduan.sla.calendar import WorkingCalendar, follow_up_limit, limit
from aduan.workflow import audit
from aduan.workflow.handlers import HANDLERS, Change
from aduan.workflow.models import Disposition, ReportEvent
from aduan.workflow.transitions import LEAD_ONLY, SCOPES, TRANSITIONS, Action, Scope, Transition

# Callables(event) run inside the action's transaction, after the event is written (cheap
# bookkeeping that must commit or roll back with the action), and after a successful commit.
# After-commit hooks get every event of the transaction at once (a group of submissions commits
# together), so that their own bookkeeping is one statement per transaction, not per report. They
# run robustly: a failing hook is logged and never turns a committed action into an error.
in_transaction_hooks: list[Callable[[ReportEvent], None]] = []
after_commit_hooks: list[Callable[[Sequence[ReportEvent]], None]] = []
# After-commit hooks whose writes are aduan.core.bulkinsert statements: for new reports written in
# a bulkinsert block (the intake API's group commit, one statement on PostgreSQL) they run inside
# it instead, so that their write joins the group's statement and commits with the reports,
# instead of costing a transaction of its own after it (the evaluation's staleness bump).
statement_hooks: set[Callable[[Sequence[ReportEvent]], None]] = set()


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
    if status in (Status.SELESAI, Status.DIARSIPKAN, Status.DITERUSKAN):
        # Forwarded: the peer installation's own deadlines run there, none here.
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
    if status == Status.TERVERIFIKASI and action in (Action.RETURN, Action.FORWARD_RETURNED):
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
        change = HANDLERS[act](report, actor, params, now)
        if transition.target is not None:
            report.status = transition.target
        report.updated_at = now
        fields = change.fields | {"status", "updated_at"}
        if report.status != from_status or act is Action.REDISPOSE:  # a new lead gets a new clock
            fields |= _schedule(report, act, now)
        event = ReportEvent(
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
        audit.record(report, event, fields)  # the next link of the chain, with the report's head
        _run_in_transaction(event)
        transaction.on_commit(lambda: _run_after_commit([event]), robust=True)
    return event


def open_reports(
    items: Sequence[tuple[Report, Actor]], *, renumber: Callable[[Report], None] | None = None
) -> list[ReportEvent]:
    """The `submit` row of the table for new, unsaved reports (each report's `submitted_at` is its
    moment): sets the first state and deadline, inserts them with one multi-row INSERT and writes
    their events with another. Called by intake inside its transaction, with one report or with
    a group of concurrent submissions (group commit). With `renumber`, a report whose tracking
    number is already taken is given a new one by it and inserted again, instead of an
    IntegrityError."""
    transition = TRANSITIONS[Action.SUBMIT]
    for report, actor in items:
        if actor.role not in transition.roles:
            raise PermissionDenied(
                f"Peran {actor.role.label} tidak boleh membuat laporan.", code="role_not_allowed"
            )
        report.status = Status.BELUM_TERVERIFIKASI
        _schedule(report, Action.SUBMIT, report.submitted_at)
    # Each submit event's content, known before any row is written: its hash (the first link of
    # the report's audit chain) goes into the report row's head in the same statement.
    firsts = [
        {
            "action": Action.SUBMIT.value,
            "from_status": "",
            "to_status": report.status,
            "actor_user_id": actor.user_id,
            "actor_role": actor.role.value,
            "actor_agency_id": actor.agency_id,
            "note": "",
            "is_public": True,
            "data": {"channel": report.channel},
            "created_at": report.submitted_at,
        }
        for report, actor in items
    ]
    values = {id(report): first for (report, _), first in zip(items, firsts, strict=True)}
    anchors: dict[int, str] = {}
    pending = [report for report, _ in items]
    for _attempt in range(5):
        for report in pending:  # again after a renumbering: the chain's anchor is the number
            anchors[id(report)] = audit.open_chain(report, values[id(report)])
        inserted = bulkinsert.insert(pending, conflict="tracking_number" if renumber else "")
        pending = [report for report, done in zip(pending, inserted, strict=True) if not done]
        if not pending or renumber is None:
            break
        for report in pending:
            renumber(report)
    if pending:
        raise RuntimeError("could not allocate unique tracking numbers")
    events = [
        rows.build(
            ReportEvent,
            report=report,
            actor_user=actor.user,
            **{name: value for name, value in first.items() if name != "actor_user_id"},
            seq=1,
            prev_hash=anchors[id(report)],
            hash=report.audit_head,
        )
        for (report, actor), first in zip(items, firsts, strict=True)
    ]
    bulkinsert.insert(events)
    using = router.db_for_write(ReportEvent)
    for event in events:
        # A multi-row INSERT sends no post_save; the receivers of ReportEvent get it as from save().
        post_save.send(
            sender=ReportEvent, instance=event, created=True, raw=False, using=using, update_fields=None
        )
        _run_in_transaction(event)
    later = after_commit_hooks
    if bulkinsert.collecting(using):
        for hook in after_commit_hooks:
            if hook in statement_hooks:
                hook(events)
        later = [hook for hook in after_commit_hooks if hook not in statement_hooks]
    transaction.on_commit(lambda: _run_after_commit(events, later), robust=True)
    return events


def _run_in_transaction(event: ReportEvent) -> None:
    for hook in in_transaction_hooks:
        hook(event)


def _run_after_commit(
    events: Sequence[ReportEvent], hooks: Sequence[Callable[[Sequence[ReportEvent]], None]] | None = None
) -> None:
    for hook in after_commit_hooks if hooks is None else hooks:
        hook(events)
