"""Reads from a real streaming replica (issue 18 part 4; aduan/core/dbrouter.py; docs/scaling.md).

A session fixture makes its own primary (wal_level=replica) and a hot standby of it made with
`pg_basebackup -R`, the Ponorogo demo on the primary, and two application nodes (`aduan serve`)
with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the replica: node A accepts any lag,
node B at most 1 s. With replay paused on the replica, a report created and verified on the
primary is missing from what A routes to the replica (the public feed, Open311's list) and
present everywhere that must see the latest writes (the tracking page, the console, the API);
node B, past its lag limit, reads the feed from the primary again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from aduan.core.dbrouter import LAG_CHECK_SECONDS, PIN_COOKIE
from tests.factories import KESEHATAN
from tests.ops.nodes import Http, Node, aduan, node_env, tracking_numbers
from tests.ops.pgcluster import Cluster, Clusters, wait_for, why_no_clusters

PRIMARY_PORT = int(os.environ.get("ADUAN_TEST_PRIMARY_PORT", "5433"))
REPLICA_PORT = int(os.environ.get("ADUAN_TEST_REPLICA_PORT", "5434"))
NODE_PORTS = (9201, 9202)
DB = "h_scale_replica"
REPORT = {
    "kind": "pengaduan",
    "title": "Lampu jalan padam di Jl. Batoro Katong",
    "description": "Sudah tiga malam lampu jalan di depan pasar padam.",
    "region": "35.02.17",
}


def _skip_reason() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "a streaming replica needs PostgreSQL (run with DATABASE_URL=postgres://…); SQLite has none"
    return why_no_clusters()


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))


@dataclass
class Site:
    primary: Cluster
    replica: Cluster
    any_lag: Node  # A: ADUAN_REPLICA_MAX_LAG_SECONDS=3600
    strict: Node  # B: ADUAN_REPLICA_MAX_LAG_SECONDS=1
    token: str  # the coordinator's API token
    clusters: Clusters

    def on_replica(self, sql: str, *params: object) -> object:
        with self.replica.connect(DB) as db:
            row = db.execute(sql, params).fetchone()  # type: ignore[arg-type]
            return row[0] if row else None

    def replay(self, *, paused: bool) -> None:
        with self.replica.connect() as db:
            db.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    clusters = Clusters()
    nodes: list[Node] = []
    try:
        primary = clusters.primary(PRIMARY_PORT)
        replica = clusters.replica(primary, REPLICA_PORT)
        with primary.connect() as db:
            db.execute(f"CREATE DATABASE {DB}")
        wait_for(lambda: replica.connect(DB).close() or True)
        data = tmp_path_factory.mktemp("replica-site")
        env = node_env(data_dir=data, database_url=primary.url(DB), DATABASE_REPLICA_URL=replica.url(DB))
        # With the replica configured: migrations must go to the primary only (the standby
        # refuses any write, so one that went there would fail the command).
        aduan("migrate", "--noinput", "-v0", env=env)
        aduan("demo", "--if-empty", env=env)
        token = aduan("token", "create", "--user", "koordinator", env=env).strip().splitlines()[-1]
        for port, lag in zip(NODE_PORTS, ("3600", "1"), strict=True):
            node_data = data / f"node-{port}"
            nodes.append(
                Node(
                    port,
                    env | {"ADUAN_REPLICA_MAX_LAG_SECONDS": lag},
                    node_data,
                    data / f"node-{port}.log",
                ).start()
            )
        yield Site(primary, replica, nodes[0], nodes[1], token, clusters)
    finally:
        for node in nodes:
            node.stop()
        clusters.close()


def _submit_and_verify(site: Site) -> tuple[str, str]:
    """A new report through node A's API, verified by the coordinator (so the feed may show it)."""
    created = Http(site.any_lag.port).post_json("/api/v1/reports", REPORT)
    assert created.status == 201, created.text
    number, code = created.json()["tracking_number"], created.json()["access_code"]
    verified = Http(site.any_lag.port, token=site.token).post_json(
        f"/api/v1/reports/{number}/actions/verify",
        {"classification": "pengaduan_tidak_berkadar_pengawasan", "category": KESEHATAN},
    )
    assert verified.status == 200, verified.text
    return number, code


def _feed(port: int) -> set[str]:
    page = Http(port).get("/laporan/")
    assert page.status == 200
    return tracking_numbers(page.text)


def _open311_list(port: int, number: str) -> list[object]:
    answer = Http(port).get(f"/api/open311/v2/requests.json?service_request_id={number}")
    assert answer.status == 200, answer.text
    listed: list[object] = answer.json()
    return listed


def test_a_report_written_on_the_primary_reaches_the_replica_and_its_feed(site: Site) -> None:
    number, _code = _submit_and_verify(site)
    wait_for(
        lambda: (
            site.on_replica("SELECT status FROM intake_report WHERE tracking_number = %s", number)
            == "terverifikasi"
        )
    )
    wait_for(lambda: number in _feed(site.any_lag.port))
    assert [r["service_request_id"] for r in _open311_list(site.any_lag.port, number)] == [number]  # type: ignore[index]


def test_with_replay_paused_routed_reads_miss_the_new_report_and_own_reads_see_it(site: Site) -> None:
    site.replay(paused=True)
    try:
        number, code = _submit_and_verify(site)
        assert site.on_replica("SELECT count(*) FROM intake_report WHERE tracking_number = %s", number) == 0

        # Routed to the replica (node A tolerates any lag): the feed and Open311's list.
        assert number not in _feed(site.any_lag.port)
        assert _open311_list(site.any_lag.port, number) == []
        # Open311's request by id falls back to the primary when the replica lacks it (a client
        # asks for the request it has just created).
        detail = Http(site.any_lag.port).get(f"/api/open311/v2/requests/{number}.json")
        assert detail.status == 200, detail.text

        # Never routed: the API (staff and citizen), the tracking page, the console.
        staff = Http(site.any_lag.port, token=site.token).get(f"/api/v1/reports/{number}")
        assert staff.status == 200 and staff.json()["status"] == "terverifikasi", staff.text
        citizen = Http(site.any_lag.port).get(f"/api/v1/reports/{number}", {"X-Access-Code": code})
        assert citizen.status == 200, citizen.text
        browser = Http(site.any_lag.port)
        proven = browser.post_form("/lacak/", {"tracking_number": number, "access_code": code})
        assert proven.status == 302, proven.text
        tracking = browser.get(f"/lacak/{number}/")
        assert tracking.status == 200 and number in tracking.text
        officer = Http(site.any_lag.port)
        signed_in = officer.post_form(
            "/konsol/masuk/", {"username": "koordinator", "password": "aduan-demo-2026"}
        )
        assert signed_in.status == 302, signed_in.text
        console = officer.get(f"/konsol/laporan/{number}/")
        assert console.status == 200 and number in console.text

        # The browser that just wrote (its session) is pinned to the primary for a while: its
        # feed shows what the others' does not yet.
        assert any(c.name == PIN_COOKIE for c in browser.jar)
        assert number in tracking_numbers(browser.get("/laporan/").text)
        assert number not in _feed(site.any_lag.port)

        # Node B allows 1 s of lag: once its last measurement is older than LAG_CHECK_SECONDS,
        # it sees the replica too far behind and reads the feed from the primary.
        time.sleep(LAG_CHECK_SECONDS + 1.5)
        assert number in _feed(site.strict.port)
        assert number not in _feed(site.any_lag.port)
    finally:
        site.replay(paused=False)
    wait_for(lambda: number in _feed(site.any_lag.port))


def test_with_the_replica_down_the_routed_pages_read_the_primary(site: Site) -> None:
    # Last in this file: the replica stays down.
    site.clusters.stop(site.replica)
    number, _code = _submit_and_verify(site)
    # Once a measurement is due (a connection the replica's death broke may fail before then).
    time.sleep(LAG_CHECK_SECONDS + 0.5)
    started = time.monotonic()
    assert number in _feed(site.any_lag.port)
    assert [r["service_request_id"] for r in _open311_list(site.any_lag.port, number)] == [number]  # type: ignore[index]
    assert time.monotonic() - started < 3, "a refused connection must not make the pages wait"


def test_the_nodes_logs_show_no_errors(site: Site) -> None:
    for node in (site.any_lag, site.strict):
        log = Path(node.log).read_text() if Path(node.log).exists() else ""
        assert "Traceback" not in log, log[-3000:]
