"""The periodic sweep as a task, and the scheduler that enqueues it once per interval."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import router, transaction
from django.db.models.signals import pre_save
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends
from django_tasks.base import Task
from django_tasks.utils import normalize_json

from aduan.core import bulkinsert, clock, rows
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


def enqueue_in_transaction(task_: Task[[], Any]) -> None:
    """Enqueue a task without arguments on the database backend, as one lean INSERT.

    Writes the row `DatabaseBackend.enqueue` writes (same id function, fields and pre_save
    handler; tests/notifications/test_outbox.py compares the two), without the ORM's create and
    without building the TaskResult that `enqueue` returns and announces (`task_enqueued`, which
    only django_tasks' debug log listens to). The group commit enqueues one delivery task per
    transaction, hundreds a second: through `enqueue` that was a quarter of a small group's cost."""
    from django_tasks_db.models import DBTaskResult

    backend: Any = task_backends[DEFAULT_TASK_BACKEND_ALIAS]  # a DatabaseBackend
    if (backend, task_) not in _validated:  # (validate_task inspects the function's signature)
        backend.validate_task(task_)
        _validated.add((backend, task_))
    row: Any = rows.build(
        DBTaskResult,
        id=backend._get_id(),
        args_kwargs=_NO_ARGUMENTS,
        priority=task_.priority,
        task_path=task_.module_path,
        queue_name=task_.queue_name,
        run_after=task_.run_after,  # None: the pre_save handler sets it
        backend_name=backend.alias,
    )
    using = router.db_for_write(DBTaskResult)
    pre_save.send(sender=DBTaskResult, instance=row, raw=False, using=using, update_fields=None)
    bulkinsert.write([row])


_NO_ARGUMENTS = normalize_json({"args": (), "kwargs": {}})
# (backend, task) pairs validated once in this process: neither changes once defined.
_validated: set[tuple[Any, Any]] = set()


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
