"""/healthz answers without the database; /readyz names what is not ready (503, JSON)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from aduan.core import clock
from aduan.sla.models import WorkerHeartbeat


def test_healthz_answers_without_touching_the_database() -> None:
    # No django_db mark: any query here would raise.
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_ok_with_a_recent_worker_heartbeat() -> None:
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=clock.now() - dt.timedelta(seconds=5))
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "migrations": "ok", "worker": "ok"},
        "failed": {},
    }


@pytest.mark.django_db
def test_readyz_fails_without_any_worker() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["worker"] == "fail"
    assert "aduan worker" in body["failed"]["worker"]
    assert set(body["failed"]) == {"worker"}


@pytest.mark.django_db
def test_readyz_fails_when_the_worker_heartbeat_is_stale(settings) -> None:  # type: ignore[no-untyped-def]
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=clock.now() - dt.timedelta(minutes=10))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert set(response.json()["failed"]) == {"worker"}
    assert "s ago" in response.json()["failed"]["worker"]


@pytest.mark.django_db
def test_readyz_fails_when_a_migration_is_unapplied() -> None:
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=clock.now())
    # Forget that the latest migration of the sla app ran (rolled back with the test).
    (_app, latest) = MigrationLoader(connection).graph.leaf_nodes("sla")[0]
    assert MigrationRecorder(connection).migration_qs.filter(app="sla", name=latest).delete()[0] == 1
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert set(body["failed"]) == {"migrations"}
    assert f"sla.{latest}" in body["failed"]["migrations"]


@pytest.mark.django_db
def test_readyz_fails_when_storage_is_not_writable(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=clock.now())
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = str(blocker / "media")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert set(response.json()["failed"]) == {"storage"}


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_SSL_REDIRECT = True
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=clock.now())
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/readyz").status_code == 200
    assert Client().get("/").status_code == 301


def test_probes_answer_clearly_when_the_database_is_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Its own process: a database nobody listens on (port 1), as when PostgreSQL is stopped.
    code = """
import django, json
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
print(json.dumps([
    [client.get(path).status_code, client.get(path).content.decode()]
    for path in ("/healthz", "/readyz", "/metrics")
]))
"""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "ADUAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
    }
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=tmp_path
    )
    (health, ready, metrics) = json.loads(run.stdout.splitlines()[-1])
    assert health[0] == 200
    assert ready[0] == 503
    failed = json.loads(ready[1])["failed"]
    assert "OperationalError" in failed["database"]
    assert failed["worker"] == "skipped: database unreachable"
    assert metrics == [503, "database unreachable: OperationalError\n"]
