"""The periodic sweep as a task, and the scheduler that enqueues it once per interval."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends

from aduan.core import clock
from aduan.sla import conf
from aduan.sla.models import SweepSchedule
from aduan.sla.sweeps import run_sweeps

logger = logging.getLogger(__name__)
SWEEP = "sweeps"


@task()
def sweep() -> dict[str, int]:
    """Reminders, escalation, auto-close, expired holds, pruning, and pending messages."""
    return run_sweeps()


def _sweep_in_flight() -> bool:
    """A sweep task waiting or running (not one whose worker died long ago)."""
    from django_tasks_db.models import DBTaskResult

    stale = clock.now() - dt.timedelta(seconds=conf.SWEEP_STALE_SECONDS)
    queued = DBTaskResult.objects.filter(task_path=sweep.module_path)
    return (
        queued.filter(status=TaskResultStatus.READY).exists()
        or queued.filter(status=TaskResultStatus.RUNNING, started_at__gte=stale).exists()
    )


def uses_database_backend() -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def schedule_sweep(*, interval: int | None = None, force: bool = False) -> bool:
    """Enqueue the sweep if its interval has passed and none is in flight. Several workers may
    call this at once: the schedule row's lock lets exactly one of them enqueue."""
    interval = conf.SWEEP_INTERVAL if interval is None else interval
    now = clock.now()
    with transaction.atomic():
        SweepSchedule.objects.get_or_create(name=SWEEP)
        # The lock serialises the check-then-enqueue of concurrent schedulers (PostgreSQL; SQLite
        # transactions here are IMMEDIATE, so writers are serialised anyway).
        row = SweepSchedule.objects.select_for_update().get(name=SWEEP)
        due = row.last_enqueued_at is None or row.last_enqueued_at + dt.timedelta(seconds=interval) <= now
        if not (due or force):
            return False
        if uses_database_backend() and _sweep_in_flight():
            return False
        row.last_enqueued_at = now
        row.save(update_fields=["last_enqueued_at"])
        if uses_database_backend():
            # Same transaction: the task row exists if and only if the schedule says so.
            result = sweep.enqueue()
            row.last_task_id = str(result.id)[:64]
            row.save(update_fields=["last_task_id"])
    if not uses_database_backend():
        sweep.enqueue()  # immediate backend: runs here, after the lock is released
    logger.info("sweep scheduled")
    return True
