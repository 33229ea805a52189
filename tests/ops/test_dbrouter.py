"""The replica router's rules, one by one (aduan/core/dbrouter.py). The real replica, with the
nodes that use it, is tests/ops/test_replica.py; here the replica's health is set, not measured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory

from aduan.accounts.models import User
from aduan.core import dbrouter
from aduan.core.dbrouter import (
    PIN_COOKIE,
    PRIMARY,
    REPLICA,
    ReplicaPinMiddleware,
    ReplicaRouter,
    primary_reads,
    replica_reads,
    replica_reads_during,
)
from aduan.intake.models import Report

router = ReplicaRouter()
requests = RequestFactory()


@pytest.fixture
def healthy_replica(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A replica configured and measured within the lag limit; this request has written nothing."""
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    monkeypatch.setattr(dbrouter, "_lag_ok", True)
    monkeypatch.setattr(dbrouter, "_lag_checked_at", time.monotonic() + 3600)
    token = dbrouter._wrote.set(False)
    yield
    dbrouter._wrote.reset(token)


def test_reads_stay_on_the_primary_unless_the_view_opts_in(healthy_replica: None) -> None:
    assert router.db_for_read(Report) == PRIMARY
    with replica_reads_during(requests.get("/laporan/")):
        assert router.db_for_read(Report) == REPLICA
        with primary_reads():
            assert router.db_for_read(Report) == PRIMARY
        assert router.db_for_read(Report) == REPLICA
    assert router.db_for_read(Report) == PRIMARY


def test_a_request_that_may_write_or_whose_browser_just_wrote_reads_the_primary(
    healthy_replica: None,
) -> None:
    with replica_reads_during(requests.post("/laporan/")):
        assert router.db_for_read(Report) == PRIMARY
    pinned = requests.get("/laporan/")
    pinned.COOKIES[PIN_COOKIE] = "1"
    with replica_reads_during(pinned):
        assert router.db_for_read(Report) == PRIMARY


def test_after_a_write_the_rest_of_the_request_reads_the_primary(healthy_replica: None) -> None:
    with replica_reads_during(requests.get("/statistik/")):
        assert router.db_for_read(Report) == REPLICA
        assert router.db_for_write(Report) == PRIMARY
        assert router.db_for_read(Report) == PRIMARY


def test_who_someone_is_is_always_read_from_the_primary(healthy_replica: None) -> None:
    with replica_reads_during(requests.get("/statistik/dasbor/")):
        assert router.db_for_read(User) == PRIMARY
        assert router.db_for_read(Report) == REPLICA


def test_a_replica_too_far_behind_is_not_read(healthy_replica: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbrouter, "_lag_ok", False)
    with replica_reads_during(requests.get("/laporan/")):
        assert router.db_for_read(Report) == PRIMARY


def test_inside_a_transaction_reads_go_to_the_primary(healthy_replica: None, db: None) -> None:
    # The test runs inside a transaction on the primary (pytest-django's db fixture).
    assert connections[PRIMARY].in_atomic_block
    with replica_reads_during(requests.get("/laporan/")):
        assert router.db_for_read(Report) == PRIMARY


def test_migrations_and_writes_go_to_the_primary_only() -> None:
    assert router.allow_migrate(PRIMARY, "intake") is True
    assert router.allow_migrate(REPLICA, "intake") is False
    assert router.db_for_write(Report) == PRIMARY


def test_the_decorated_views_are_the_heavy_read_paths(healthy_replica: None) -> None:
    seen: list[str] = []

    @replica_reads
    def view(request: object) -> HttpResponse:
        seen.append(router.db_for_read(Report) or "")
        return HttpResponse()

    view(requests.get("/"))
    view(requests.head("/"))
    view(requests.post("/"))
    assert seen == [REPLICA, REPLICA, PRIMARY]

    from aduan.api import open311
    from aduan.evaluation import views as evaluation
    from aduan.portal import feed, tracking

    def routed(view: object) -> bool:
        # functools.wraps keeps the chain: some wrapper on the way must be replica_reads'.
        while view is not None:
            if getattr(view, "__code__", None) is replica_reads(lambda r: HttpResponse()).__code__:
                return True
            view = getattr(view, "__wrapped__", None)
        return False

    for view in (
        feed.feed,
        feed.public_map,
        evaluation.public_index,
        evaluation.public_data_json,
        evaluation.public_data_csv,
        evaluation.dashboard,
        evaluation.dashboard_download,
        open311._list_requests,
    ):
        assert routed(view), view
    for view in (tracking.track, tracking.track_detail, feed.public_report, feed.support):
        assert not routed(view), view


def test_the_pin_cookie_follows_a_request_that_wrote(healthy_replica: None) -> None:
    def writes(request: object) -> HttpResponse:
        router.db_for_write(Report)
        return HttpResponse()

    def reads(request: object) -> HttpResponse:
        router.db_for_read(Report)
        return HttpResponse()

    assert PIN_COOKIE in ReplicaPinMiddleware(writes)(requests.post("/lacak/")).cookies
    assert PIN_COOKIE not in ReplicaPinMiddleware(reads)(requests.get("/laporan/")).cookies


def test_without_a_replica_the_middleware_steps_aside() -> None:
    from django.core.exceptions import MiddlewareNotUsed

    with pytest.raises(MiddlewareNotUsed):
        ReplicaPinMiddleware(lambda request: HttpResponse())


def test_the_lag_of_a_primary_is_zero_and_of_sqlite_unknown(db: None) -> None:
    lag = dbrouter.replica_lag_seconds(alias=PRIMARY)
    if connections[PRIMARY].vendor == "postgresql":
        assert lag == 0.0  # not in recovery: nothing to wait for
    else:
        assert lag is None  # no such functions: never taken for a usable replica


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_URL": "sqlite:///x"}, "DATABASE_REPLICA_URL must start with postgres"),
        ({"DATABASE_REPLICA_URL": "postgres://h/r"}, "needs DATABASE_URL on PostgreSQL"),
        (
            {"DATABASE_URL": "postgres://h/p", "ADUAN_REPLICA_MAX_LAG_SECONDS": "soon"},
            "ADUAN_REPLICA_MAX_LAG_SECONDS must be a whole number",
        ),
    ],
)
def test_bad_replica_settings_are_refused_at_start(
    env: dict[str, str], message: str, tmp_path: object
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "ADUAN_"))}
    done = subprocess.run(
        [sys.executable, "-c", "import aduan.settings"],
        env=clean | {"ADUAN_DATA_DIR": str(tmp_path)} | env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and message in done.stderr, done.stderr[-500:]


def test_a_replica_url_adds_the_alias_the_router_and_a_test_mirror(tmp_path: object) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "ADUAN_"))}
    code = (
        "import aduan.settings as s; r = s.DATABASES['replica'];"
        "print(r['HOST'], r['PORT'], r['TEST'], r['OPTIONS']['connect_timeout'], s.DATABASE_ROUTERS)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=clean
        | {
            "ADUAN_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://u@primary:5432/aduan",
            "DATABASE_REPLICA_URL": "postgres://u@standby:5434/aduan",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split(" ", 2)[:2] == ["standby", "5434"]
    assert "'MIRROR': 'default'" in done.stdout and "aduan.core.dbrouter.ReplicaRouter" in done.stdout
