"""The periodic sweep as a task, the scheduler that enqueues it once per interval, and the lease
that takes up again a task whose worker died."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends

from aduan.core import clock
from aduan.sla import conf
from aduan.sla.models import SweepSchedule, WorkerHeartbeat
from aduan.sla.sweeps import run_sweeps

logger = logging.getLogger(__name__)
SWEEP = "sweeps"


# Above any other task: a sweep never waits behind a backlog (django-tasks-db runs the highest
# priority first).
@task(priority=50)
def sweep() -> dict[str, int]:
    """Reminders, escalation, auto-close, expired holds, pruning, and pending messages."""
    return run_sweeps()


def _sweep_in_flight() -> bool:
    """A sweep task waiting or running (a dead worker's is made ready again by
    `tasks_of_dead_workers_requeue`, never left RUNNING)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=sweep.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


def uses_database_backend() -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


class WorkerLost(Exception):
    """What a task whose workers kept dying is marked failed with."""


def worker_seen(worker_id: str) -> None:
    """This worker is alive: renews the lease of the tasks it runs."""
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": clock.now()})


def last_worker_seen() -> dt.datetime | None:
    """When any worker last reported (None: never), for readiness and metrics."""
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def tasks_of_dead_workers_requeue() -> int:
    """Tasks left RUNNING by a worker not seen for the lease go back to READY, to be run again
    (every task here may run twice: sweeps and deliveries check state before acting); after
    TASK_MAX_ATTEMPTS dead workers, a task is marked failed instead. Returns the tasks taken up.

    A task claimed within the lease is left alone whoever runs it, so a worker started without
    heartbeats (django-tasks-db's own `db_worker`) gets the lease from the task's start."""
    from django_tasks_db.models import DBTaskResult

    now = clock.now()
    expired = now - dt.timedelta(seconds=conf.TASK_LEASE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=expired).values_list("worker_id", flat=True))
    taken = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=expired):
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue
        # Conditional on what was read: the worker may have finished it meanwhile, or another
        # scheduler taken it up first.
        same = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) >= conf.TASK_MAX_ATTEMPTS:
            same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: the workers running this task died {len(row.worker_ids)} times",
            )
            logger.error(
                "task %s (%s) failed: its workers died %s times", row.pk, row.task_path, len(row.worker_ids)
            )
        elif same.update(status=TaskResultStatus.READY):
            taken += 1
            logger.warning(
                "task %s (%s) of dead worker %s taken up again", row.pk, row.task_path, row.worker_ids[-1:]
            )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return taken


def schedule_sweep(*, interval: int | None = None, force: bool = False) -> bool:
    """Enqueue the sweep if its interval has passed and none is in flight. Several workers may
    call this at once: the schedule row's lock lets exactly one of them enqueue."""
    interval = conf.SWEEP_INTERVAL if interval is None else interval
    now = clock.now()
    with transaction.atomic():
        row = SweepSchedule.locked(SWEEP)
        if not (row.is_due(dt.timedelta(seconds=interval), now) or force):
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
