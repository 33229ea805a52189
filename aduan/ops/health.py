"""Readiness checks: what a load balancer or supervisor asks before sending traffic here."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aduan.core import clock
from aduan.sla import conf as sla_conf


def database_check() -> str | None:
    """None when the database answers a query, else why not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def storage_check() -> str | None:
    """None when a file can be written in the attachments directory, else why not."""
    media = Path(settings.MEDIA_ROOT)
    try:
        media.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=media, prefix=".readyz-"):
            pass
    except OSError as exc:
        return f"{media}: {exc.strerror or exc}"
    return None


def migrations_check() -> str | None:
    """None when every migration on disk is applied, else the first few that are not."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    if not plan:
        return None
    names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    more = f" (+{len(names) - 5})" if len(names) > 5 else ""
    return "unapplied: " + ", ".join(names[:5]) + more


def worker_check() -> str | None:
    """None when a worker was seen within the task lease, else since when none was.

    With the immediate task backend (development, some tests) there is no worker to wait for."""
    from aduan.sla.models import WorkerHeartbeat
    from aduan.sla.tasks import uses_database_backend

    if not uses_database_backend():
        return None
    try:
        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    if last is None:
        return "no worker has ever reported (is `aduan worker` running?)"
    age = clock.now() - last
    if age > dt.timedelta(seconds=sla_conf.TASK_LEASE_SECONDS):
        return (
            f"last worker heartbeat {int(age.total_seconds())} s ago (limit {sla_conf.TASK_LEASE_SECONDS} s)"
        )
    return None


def readiness() -> dict[str, str | None]:
    """Each check by name: None when it passed, else what failed. Later checks need the
    database, so they are skipped (and reported as such) when it is down."""
    results: dict[str, str | None] = {"database": database_check(), "storage": storage_check()}
    if results["database"] is not None:
        results["migrations"] = results["worker"] = "skipped: database unreachable"
    else:
        results["migrations"] = migrations_check()
        results["worker"] = worker_check()
    return results
