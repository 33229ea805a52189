"""Readiness checks: what a load balancer or supervisor asks before sending traffic here."""

from __future__ import annotations

import datetime as dt
import functools
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

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
    """None when a file can be written to and removed from the attachment storage (the media
    directory or an object store: STORAGES["default"]), else why not."""
    try:
        saved = default_storage.save(f".readyz-{secrets.token_hex(8)}", ContentFile(b"ok"))
        default_storage.delete(saved)
    except Exception as exc:  # each backend fails its own way: OSError, botocore's ClientError…
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


@functools.cache
def _migrations_on_disk() -> tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...]:
    """Every migration on disk in the order `migrate` applies it, each with those it replaces.

    Loaded once per process: the files do not change under a running process, and loading
    imports every migration module (milliseconds a probe should not pay each time)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    plan: dict[tuple[str, str], None] = {}
    for leaf in graph.leaf_nodes():
        plan.update(dict.fromkeys(graph.forwards_plan(leaf)))
    return tuple((key, tuple(graph.nodes[key].replaces or ())) for key in plan)


def migrations_check() -> str | None:
    """None when every migration on disk is applied, else the first few that are not."""
    try:
        applied = MigrationRecorder(connection).applied_migrations()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    # A squashed migration counts as applied once everything it replaces is (as `migrate` sees it).
    names = [
        f"{app}.{name}"
        for (app, name), replaces in _migrations_on_disk()
        if (app, name) not in applied and not (replaces and all(r in applied for r in replaces))
    ]
    if not names:
        return None
    more = f" (+{len(names) - 5})" if len(names) > 5 else ""
    return "unapplied: " + ", ".join(names[:5]) + more


def worker_check() -> str | None:
    """None when a worker was seen within the task lease, else since when none was.

    With the immediate task backend (development, some tests) there is no worker to wait for."""
    from aduan.sla.tasks import last_worker_seen, uses_database_backend

    if not uses_database_backend():
        return None
    try:
        last = last_worker_seen()
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
