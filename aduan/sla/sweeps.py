"""The periodic sweeps: reminders, breach escalation, auto-close, expired holds, pruning.

Each sweep is idempotent and safe to run in several workers at once: candidates are read without
locks, then each report is claimed in its own transaction with SELECT ... FOR UPDATE SKIP LOCKED
(PostgreSQL; SQLite serialises writers itself) and its condition checked again under the lock, so
a report another worker is handling is skipped and one already handled no longer matches.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from django.db import transaction

from aduan.core import clock, requestlog
from aduan.core.actors import SYSTEM
from aduan.core.errors import DomainError
from aduan.intake.models import AGENCY_STEPS, COORDINATOR_STEPS, IdempotencyRecord, Report, Status, Step
from aduan.intake.upload_drafts import prune_upload_drafts
from aduan.sla import conf
from aduan.sla.calendar import WorkingCalendar, limit
from aduan.sla.services import report_mark_escalated, report_mark_reminded
from aduan.workflow.services import report_act

logger = logging.getLogger(__name__)

STAFF_STEPS = COORDINATOR_STEPS | AGENCY_STEPS
# A reminder can only be due when the deadline is near: no step's last 20 % spans more than this.
REMINDER_HORIZON = dt.timedelta(days=40)
# Messages a sweep sends itself before handing the rest to a delivery task.
DELIVERY_BATCH = 500


def _each_locked(ids: list[int], still: Callable[[Report], bool], work: Callable[[Report], bool]) -> int:
    """Run `work` on each report in its own transaction, if it is free and still matches."""
    done = 0
    for report_id in ids:
        with transaction.atomic():
            report = (
                Report.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("lead_agency")
                .filter(pk=report_id)
                .first()
            )
            if report is None or not still(report):
                continue
            done += bool(work(report))
    return done


def sweep_reminders(*, calendar: WorkingCalendar | None = None) -> int:
    """Remind those responsible once `REMINDER_PERCENT` of the step's working days have passed."""
    calendar = calendar or WorkingCalendar.load()
    now = clock.now()
    fraction = conf.REMINDER_PERCENT / 100
    candidates = Report.objects.filter(
        step__in=STAFF_STEPS,
        reminder_sent_at__isnull=True,
        escalation_level=0,
        step_started_at__isnull=False,
        due_at__gt=now,
        due_at__lte=now + REMINDER_HORIZON,
    ).values_list("pk", "step_started_at", "due_at")
    # The point depends only on the two local dates; many reports share them.
    points: dict[tuple[dt.date, dt.date], dt.datetime] = {}

    def point(started: dt.datetime, due: dt.datetime) -> dt.datetime:
        key = (clock.local_date(started), clock.local_date(due))
        if key not in points:
            points[key] = calendar.fraction_point(started, due, fraction)
        return points[key]

    ids = [pk for pk, started, due in candidates if started and due and point(started, due) <= now]

    def still(report: Report) -> bool:
        return (
            report.step in STAFF_STEPS
            and report.reminder_sent_at is None
            and report.escalation_level == 0
            and report.due_at is not None
            and report.step_started_at is not None
            and report.due_at > now
            and point(report.step_started_at, report.due_at) <= now
        )

    def remind(report: Report) -> bool:
        # Its `remind` event is what tells people (the coordinator or the lead OPD, by the
        # notification matrix), in this same transaction.
        report_mark_reminded(report=report, at=now)
        return True

    return _each_locked(ids, still, remind)


def sweep_escalations(*, calendar: WorkingCalendar | None = None) -> int:
    """On a breach: level 1 to the coordinator (and the OPD's admins); `escalation_head` working
    days later, level 2 to the head of the OPD (of the coordinating agency for coordinator steps)."""
    calendar = calendar or WorkingCalendar.load()
    now = clock.now()
    head_days = limit("escalation_head")
    candidates = Report.objects.filter(
        step__in=STAFF_STEPS, due_at__lt=now, escalation_level__lt=2
    ).values_list("pk", "due_at", "escalation_level")
    ids = [pk for pk, due, level in candidates if due and _level_due(calendar, due, head_days, now) > level]

    def still(report: Report) -> bool:
        return (
            report.step in STAFF_STEPS
            and report.due_at is not None
            and report.due_at < now
            and _level_due(calendar, report.due_at, head_days, now) > report.escalation_level
        )

    def escalate(report: Report) -> bool:
        assert report.due_at is not None
        target = _level_due(calendar, report.due_at, head_days, now)
        # One level per pass: a report found long overdue still tells the coordinator first.
        level = report.escalation_level + 1 if target > report.escalation_level else target
        # Its `escalate` event tells the coordinator and the OPD, or the heads (the matrix).
        report_mark_escalated(report=report, level=level)
        logger.info("report %s escalated to level %s (step %s)", report.tracking_number, level, report.step)
        return True

    return _each_locked(ids, still, escalate)


def _level_due(calendar: WorkingCalendar, due: dt.datetime, head_days: int, now: dt.datetime) -> int:
    """The escalation level a breach has earned by `now`: 0 before the deadline, 1, then 2."""
    if now <= due:
        return 0
    if now > calendar.due_at(due, head_days):
        return 2
    return 1


def _act_on_expired(step: Step, status: Status, action: str) -> int:
    now = clock.now()
    ids = list(Report.objects.filter(status=status, step=step, due_at__lt=now).values_list("pk", flat=True))
    done = 0
    for report_id in ids:
        try:
            # report_act locks the row and checks the state again: a report the citizen answered
            # a moment ago, or another worker already closed, is refused and skipped.
            report_act(actor=SYSTEM, report_id=report_id, action=action)
        except DomainError as exc:
            logger.info("sweep %s skipped report %s: %s", action, report_id, exc.code)
            continue
        done += 1
    return done


def sweep_auto_close() -> int:
    """Close reports whose citizen's reply window (10 working days) passed: closed by the system."""
    return _act_on_expired(Step.REPLY_WINDOW, Status.DITINDAKLANJUTI, "auto_close")


def sweep_expired_holds() -> int:
    """Archive held reports whose clarification never came (reason: incomplete)."""
    return _act_on_expired(Step.CLARIFICATION, Status.DITUNDA, "expire_hold")


def prune_idempotency_records() -> int:
    """Idempotency keys protect retries for a day; older records are dropped."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=clock.now() - dt.timedelta(days=1)).delete()
    return deleted


def prune_task_results() -> int:
    """Finished task rows (a sweep every few minutes adds up): successful after 7 days, failed after 30."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = clock.now()
    ok, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - dt.timedelta(days=7)
    ).delete()
    failed, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - dt.timedelta(days=30)
    ).delete()
    return ok + failed


def _refresh_statistics() -> int:
    from aduan.evaluation.counts import refresh

    return refresh()


def _apply_retention() -> int:
    """Once a day: erase personal data past the retention period (UU 27/2022). Daily rather than
    every sweep: its question reads every closed report, and a day's delay changes nothing."""
    from aduan.sla.models import SweepSchedule
    from aduan.workflow.retention import retention_apply

    now = clock.now()
    with transaction.atomic():
        row = SweepSchedule.locked("retention")
        if not row.is_due(dt.timedelta(days=1), now):
            return 0
        row.last_enqueued_at = now
        row.save(update_fields=["last_enqueued_at"])
    return len(retention_apply(now=now).tracking_numbers)


def run_sweeps() -> dict[str, int]:
    """Every sweep once, in order; one failing sweep does not stop the others. The messages they
    write are delivered at the end (a first batch; `aduan worker` claims the rest from the
    outbox, and on the immediate task backend one delivery task sends them)."""
    from aduan.notifications.delivery import deliver_due
    from aduan.notifications.recipients import staff_cached
    from aduan.notifications.services import delivery_deferred
    from aduan.notifications.tasks import deliver_pending
    from aduan.notifications.texts import templates_cached
    from aduan.sla.tasks import uses_database_backend

    calendar = WorkingCalendar.load()
    steps: list[tuple[str, Callable[[], int]]] = [
        ("expired_holds", sweep_expired_holds),
        ("auto_closed", sweep_auto_close),
        ("escalated", lambda: sweep_escalations(calendar=calendar)),
        ("reminded", lambda: sweep_reminders(calendar=calendar)),
        ("idempotency_pruned", prune_idempotency_records),
        ("upload_drafts_pruned", prune_upload_drafts),
        ("task_results_pruned", prune_task_results),
        ("retention_erased", _apply_retention),
        # Keeps the evaluation's pre-aggregated counts current (figures are correct without it,
        # only slower: stale days are counted from the raw tables).
        ("stats_months_recounted", _refresh_statistics),
    ]
    result: dict[str, int] = {}
    # One id for the run, as a request has one: the messages it writes record it, and the worker's
    # lines about delivering them carry it (aduan/core/requestlog.py).
    run_id = "sweep-" + uuid.uuid4().hex[:24]
    with requestlog.bound(run_id), delivery_deferred(), templates_cached(), staff_cached():
        for name, sweep in steps:
            try:
                result[name] = sweep()
            except Exception:
                logger.exception("sweep %s failed", name)
                result[name] = -1
    try:
        delivered = deliver_due(limit=DELIVERY_BATCH)
        result.update({f"messages_{k}": v for k, v in delivered.items()})
        if sum(delivered.values()) >= DELIVERY_BATCH and not uses_database_backend():
            deliver_pending.enqueue()
    except Exception:
        logger.exception("delivery failed")
    return result
