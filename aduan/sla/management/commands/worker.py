"""`aduan worker`: the background worker (django-tasks-db), the scheduler of the periodic sweeps
and the outbox's delivery.

Three threads. The main one runs django-tasks-db's worker loop (the sweep task). Neither
django-tasks nor django-tasks-db has a scheduler or leases, so a housekeeping thread says every
quarter of ADUAN_TASK_LEASE_SECONDS that this worker is alive, takes up again the tasks of
workers that are not (killed, crashed), and enqueues the sweep every ADUAN_SWEEP_INTERVAL
seconds (at most one in flight across all workers). A delivery thread claims due messages
straight from the outbox every `--poll` seconds: no task per message or per transaction queues
up in front of the sweeps. `--once` does a single pass and exits: take up dead workers' tasks,
schedule the sweep, run every task that is ready, send every due message, then stop. For tests
and cron.
"""

from __future__ import annotations

import logging
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string

from aduan.sla import conf
from aduan.sla.tasks import (
    schedule_sweep,
    tasks_of_dead_workers_requeue,
    uses_database_backend,
    worker_seen,
)

logger = logging.getLogger("aduan.worker")
# Messages the delivery thread sends before it looks again at once.
BATCH = 200


def _run_db_worker(*, batch: bool, interval: float, worker_id: str) -> None:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    if not batch:
        worker.configure_signals()
    worker.run()


class Housekeeper(threading.Thread):
    """Says this worker is alive, takes up dead workers' tasks, and enqueues the sweep when due
    (with `sweep_interval`), until stopped."""

    def __init__(self, worker_id: str, sweep_interval: int | None) -> None:
        super().__init__(name="aduan-housekeeper", daemon=True)
        self.worker_id = worker_id
        self.sweep_interval = sweep_interval
        self.stopped = threading.Event()

    def tick(self) -> None:
        try:
            close_old_connections()
            if uses_database_backend():
                worker_seen(self.worker_id)
                tasks_of_dead_workers_requeue()
            if self.sweep_interval is not None:
                schedule_sweep(interval=self.sweep_interval)
        except Exception:
            logger.exception("housekeeping failed")
        finally:
            connection.close()

    def run(self) -> None:
        # Often enough that the sweep interval is kept to within a tenth, and that a live worker
        # renews its lease four times before it runs out.
        pause = min(conf.TASK_LEASE_SECONDS / 4, (self.sweep_interval or 10**9) / 10)
        while not self.stopped.is_set():
            self.tick()
            self.stopped.wait(max(1.0, pause))


class Deliverer(threading.Thread):
    """Sends the outbox's due messages every `poll` seconds, at once again after a full batch."""

    def __init__(self, poll: float) -> None:
        super().__init__(name="aduan-deliverer", daemon=True)
        self.poll = poll
        self.stopped = threading.Event()

    def run(self) -> None:
        from aduan.core.outboxes import deliver_registered
        from aduan.notifications.delivery import deliver_due

        while not self.stopped.is_set():
            full = False
            try:
                close_old_connections()
                full = sum(deliver_due(limit=BATCH).values()) >= BATCH
            except Exception:
                logger.exception("delivery failed")
            try:
                # The other outboxes (federation messages to peers): their own pace and retries.
                deliver_registered()
            except Exception:
                logger.exception("delivery failed")
            if not full:
                self.stopped.wait(self.poll)


class Command(BaseCommand):
    help = "Pekerja latar: menjalankan tugas (pengiriman pesan) dan menjadwalkan sapuan berkala (pengingat, eskalasi, penutupan otomatis)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Satu putaran: sapuan + semua tugas yang siap, lalu berhenti"
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Detik antar sapuan (bawaan: ADUAN_SWEEP_INTERVAL, 300)",
        )
        parser.add_argument("--poll", type=float, default=1.0, help="Detik antar pemeriksaan antrean tugas")
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Hanya menjalankan tugas, tanpa menjadwalkan sapuan"
        )

    def handle(
        self, *args: Any, once: bool, interval: int | None, poll: float, no_scheduler: bool, **options: Any
    ) -> None:
        interval = interval or conf.SWEEP_INTERVAL
        worker_id = get_random_string(32)
        if once:
            self._once(worker_id)
            return
        if not uses_database_backend():
            # The immediate backend runs tasks when enqueued: the scheduler alone does the work.
            self.stdout.write("Backend tugas langsung (immediate): hanya penjadwal sapuan yang berjalan.")
            Housekeeper(worker_id, interval).run()
            return
        Housekeeper(worker_id, None if no_scheduler else interval).start()
        if not no_scheduler:
            self.stdout.write(f"Penjadwal sapuan aktif: setiap {interval} detik.")
        Deliverer(poll).start()
        _run_db_worker(batch=False, interval=poll, worker_id=worker_id)

    def _once(self, worker_id: str) -> None:
        from aduan.core.outboxes import deliver_registered
        from aduan.sla.sweeps import run_sweeps

        if not uses_database_backend():
            result = run_sweeps()
            result |= deliver_registered(drain=True)
        else:
            from django_tasks_db.models import DBTaskResult

            from aduan.notifications.delivery import deliver_all
            from aduan.sla.models import SweepSchedule

            # The tasks of dead workers are made ready again first, so this pass runs them. (No
            # heartbeat thread here: a task of this pass keeps its lease for
            # ADUAN_TASK_LEASE_SECONDS from its start, longer than a sweep takes.)
            worker_seen(worker_id)
            tasks_of_dead_workers_requeue()
            # force: a cron pass always sweeps, unless a sweep is already waiting or running.
            schedule_sweep(force=True)
            _run_db_worker(batch=True, interval=0, worker_id=worker_id)
            task_id = (
                SweepSchedule.objects.filter(name="sweeps").values_list("last_task_id", flat=True).first()
            )
            task_row = DBTaskResult.objects.filter(id=task_id).first() if task_id else None
            result = dict(task_row.return_value or {}) if task_row is not None else {}
            for key, value in deliver_all().items():
                result[f"messages_{key}"] = result.get(f"messages_{key}", 0) + value
            result |= deliver_registered(drain=True)
        self.stdout.write("Selesai: " + ", ".join(f"{k}={v}" for k, v in sorted(result.items())))
