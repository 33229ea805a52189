"""`aduan worker`: the background worker (django-tasks-db) plus the scheduler of the periodic sweeps.

Neither django-tasks nor django-tasks-db has a scheduler, so a thread here enqueues the sweep
task every ADUAN_SWEEP_INTERVAL seconds (at most one in flight across all workers), while the
main thread runs django-tasks-db's worker loop. `--once` does a single pass and exits: schedule
the sweep, run every task that is ready (the sweep, message deliveries), then stop. For tests and
cron.
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
from aduan.sla.tasks import schedule_sweep, uses_database_backend

logger = logging.getLogger("aduan.worker")


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


class Scheduler(threading.Thread):
    """Enqueues the sweep every `interval` seconds until stopped."""

    def __init__(self, interval: int) -> None:
        super().__init__(name="aduan-sweep-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                schedule_sweep(interval=self.interval)
            except Exception:
                logger.exception("could not schedule the sweep")
            finally:
                connection.close()
            # Wake up often enough that the interval is kept to within a tenth.
            self.stopped.wait(max(1.0, self.interval / 10))


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
            scheduler = Scheduler(interval)
            scheduler.run()
            return
        if not no_scheduler:
            Scheduler(interval).start()
            self.stdout.write(f"Penjadwal sapuan aktif: setiap {interval} detik.")
        _run_db_worker(batch=False, interval=poll, worker_id=worker_id)

    def _once(self, worker_id: str) -> None:
        from aduan.sla.sweeps import run_sweeps

        if not uses_database_backend():
            result = run_sweeps()
        else:
            # force: a cron pass always sweeps, unless a sweep is already waiting or running.
            from django_tasks_db.models import DBTaskResult

            from aduan.notifications.delivery import deliver_due
            from aduan.sla.models import SweepSchedule

            schedule_sweep(force=True)
            _run_db_worker(batch=True, interval=0, worker_id=worker_id)
            task_id = (
                SweepSchedule.objects.filter(name="sweeps").values_list("last_task_id", flat=True).first()
            )
            task_row = DBTaskResult.objects.filter(id=task_id).first() if task_id else None
            result = dict(task_row.return_value or {}) if task_row is not None else {}
            for key, value in deliver_due().items():
                result[f"messages_{key}"] = result.get(f"messages_{key}", 0) + value
        self.stdout.write("Selesai: " + ", ".join(f"{k}={v}" for k, v in sorted(result.items())))
