"""Intake benchmark: durable reports per second through POST /api/v1/reports.

Starts the server as production runs it (`aduan serve`: nginx in front of uWSGI with uwsgi.ini)
against a fresh, migrated PostgreSQL database with the Ponorogo directory and drives it with N concurrent clients for D seconds after a warm-up: by default
with Debian's wrk and bench/intake.lua (each request its own Idempotency-Key), otherwise
(--generator python) with this script's multi-process raw socket client. Every 201 answer's tracking
number is then looked up: the report must be in the database (durable), and the database may hold no
report beyond those answered, except the few that wrk abandons in flight at its stop (the server
writes them; nobody reads their answers). It also prints how many reports each group commit
(aduan/intake/groupcommit.py) carried, the CPU the server, its database backends and the load
generator took, and the task queue left behind (no worker runs during the benchmark).

    .venv/bin/python bench/intake.py                 # 16 clients, 30 s, one uWSGI process per core x 8 threads
    .venv/bin/python bench/intake.py --workers 1 --threads 16
    .venv/bin/python bench/intake.py --generator python
    .venv/bin/python bench/intake.py --front router    # uWSGI's own HTTP router, as before nginx

    .venv/bin/python bench/intake.py --db-url 'postgres://postgres@%2Fvar%2Frun%2Fpostgresql'  # Unix socket

Not a pytest test. The rate limit is switched off for the run (ADUAN_API_RATE_LIMIT=false).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
BODY_TEMPLATE = {
    "kind": "pengaduan",
    "title": "Jalan berlubang di depan pasar",
    "description": (
        "Jalan di depan Pasar Legi berlubang besar sejak dua minggu, sudah ada pengendara motor yang "
        "jatuh pada malam hari karena tidak ada penerangan. Mohon segera diperbaiki dan diberi rambu."
    ),
    "region": "35.02.17",
    "phone": "081234567890",
}


def parse_args() -> argparse.Namespace:
    cores = os.cpu_count() or 2
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=cores, help="uWSGI processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per process")
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument(
        "--db-url", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database name"
    )
    parser.add_argument("--db-name", default="aduan_bench")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument(
        "--front",
        choices=["nginx", "router"],
        default="nginx",
        help="nginx in front (aduan serve, production), or uWSGI's own HTTP router (--http, before)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the server running (for profiling)")
    parser.add_argument(
        "--no-explain", dest="explain", action="store_false", help="skip the per-request SQL listing"
    )
    parser.add_argument(
        "--generator",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator: Debian's wrk with bench/intake.lua (default where installed), or "
        "this script's own multi-process client",
    )
    return parser.parse_args()


def sh(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def database_recreate(server_url: str, name: str) -> None:
    """An empty database `name` on the server (its sessions ended, the old one dropped)."""
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> None:
    database_recreate(args.db_url, args.db_name)
    sh([str(VENV_BIN / "aduan"), "migrate", "--no-input", "-v", "0"], env)
    sh(
        [
            str(VENV_BIN / "python"),
            "-c",
            "import django; django.setup(); "
            "from aduan.directory.ponorogo import ensure_ponorogo_directory; ensure_ponorogo_directory()",
        ],
        env,
    )


def count_reports(args: argparse.Namespace) -> int:
    with psycopg.connect(f"{args.db_url}/{args.db_name}") as conn:
        row = conn.execute("SELECT count(*) FROM intake_report").fetchone()
        return int(row[0]) if row else 0


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /api/v1/agencies HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if sock.recv(16).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer in time")


def _request(port: int, key: str) -> bytes:
    body = json.dumps(BODY_TEMPLATE).encode()
    head = (
        "POST /api/v1/reports HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\n"
        f"Idempotency-Key: {key}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode() + body


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bool, bytes]:
    """(status, server keeps the connection, body) of one HTTP/1.1 response."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before headers")
        buffer.extend(chunk)
    end = buffer.index(b"\r\n\r\n")
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
    length = int(headers.get("content-length", "0"))
    del buffer[: end + 4]
    while len(buffer) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before body")
        buffer.extend(chunk)
    body = bytes(buffer[:length])
    del buffer[:length]
    keep = headers.get("connection", "").lower() != "close"
    return status, keep, body


def client(job: tuple[int, int, float, float, float]) -> dict[str, object]:
    """One client: requests back to back until the deadline; the last one is always finished."""
    client_id, port, begin_at, measure_from, stop_at = job
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    warm: dict[int, int] = {}
    numbers: list[str] = []
    sock: socket.socket | None = None
    buffer = bytearray()
    n = 0
    while time.time() < begin_at:
        time.sleep(0.001)
    while True:
        now = time.time()
        if now >= stop_at:
            break
        n += 1
        payload = _request(port, f"bench-{os.getpid()}-{client_id}-{n}")
        if sock is None:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer.clear()
        t0 = time.perf_counter()
        sock.sendall(payload)
        status, keep, answer = _read_response(sock, buffer)
        elapsed = time.perf_counter() - t0
        if status == 201:
            numbers.append(json.loads(answer)["tracking_number"])
        if not keep:
            sock.close()
            sock = None
        if now < measure_from:
            warm[status] = warm.get(status, 0) + 1
            continue
        latencies.append(elapsed)
        statuses[status] = statuses.get(status, 0) + 1
    if sock is not None:
        sock.close()
    return {"latencies": latencies, "statuses": statuses, "warm": warm, "numbers": numbers}


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children_of(pid: int) -> list[int]:
    """Every descendant process of pid (a server's workers, and theirs)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found += kids
        todo += kids
    return found


def database_backends(args: argparse.Namespace) -> list[int]:
    """The PostgreSQL backends serving the benchmark database (others' databases don't count)."""
    with psycopg.connect(f"{args.db_url}/postgres") as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [args.db_name]
        ).fetchall()
    return [int(r[0]) for r in rows]


def groups(args: argparse.Namespace) -> int:
    """Group commits so far: every request of the benchmark carries an Idempotency-Key, and a
    group's answers share its one creation time (aduan/intake/groupcommit.py `_store`)."""
    with psycopg.connect(f"{args.db_url}/{args.db_name}") as conn:
        row = conn.execute("SELECT count(DISTINCT created_at) FROM intake_idempotencyrecord").fetchone()
        return int(row[0]) if row else 0


def queued_tasks(args: argparse.Namespace) -> dict[str, int]:
    """The task queue after the load, by status (issue 12: it must stay small)."""
    with psycopg.connect(f"{args.db_url}/{args.db_name}") as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status ORDER BY status"
        ).fetchall()
    return {str(status): int(n) for status, n in rows}


def machine_busy() -> tuple[float, float]:
    parts = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


EXPLAIN = """
import json, time
import django
django.setup()
from django.db import connection
from django.test import Client
body = json.dumps(BODY)
statements = []


def record(execute, sql, params, many, context):
    statements.append(sql)
    return execute(sql, params, many, context)


client = Client()
for n in range(30):  # warm caches (stemmer, holidays) as a long-running worker has them
    client.post("/api/v1/reports", body, content_type="application/json", headers={"Idempotency-Key": f"explain-warm-{n}-{time.time()}"})
with connection.execute_wrapper(record):
    response = client.post("/api/v1/reports", body, content_type="application/json", headers={"Idempotency-Key": f"explain-{time.time()}"})
assert response.status_code == 201 and "Idempotent-Replayed" not in response, response.content
start = time.process_time()
for n in range(100):
    client.post("/api/v1/reports", body, content_type="application/json", headers={"Idempotency-Key": f"explain-{n}-{time.time()}"})
cpu = (time.process_time() - start) * 10
print(f"one request in-process (a group of one): {len(statements)} SQL statement(s) sent; on PostgreSQL the group's transaction is its one statement, without BEGIN or COMMIT; {cpu:.2f} ms app CPU per report:")
for sql in statements:
    print("   ", " ".join(sql.split())[:110])
"""


def explain(env: dict[str, str]) -> None:
    """Run the same request in-process and list its SQL statements: what each report costs."""
    code = EXPLAIN.replace("BODY", repr(BODY_TEMPLATE))
    subprocess.run(
        [str(VENV_BIN / "python"), "-c", code], env=env, cwd=ROOT, check=False, stderr=subprocess.DEVNULL
    )


@dataclasses.dataclass
class Load:
    """What a load generator's run measured (the warm-up's answers kept apart)."""

    seconds: float
    statuses: dict[int, int]
    warm: dict[int, int]
    numbers: list[str]  # the tracking number of every 201, warm-up included
    p50: float
    p95: float
    max: float
    generator_cpu: float
    app_cpu: float = 0.0
    db_cpu: float = 0.0
    busy: float = 0.0
    ticks: float = 0.0
    groups: int = 0
    abandoned_allowed: int = 0  # requests a generator may leave unanswered at its stop


class Window:
    """CPU of the server, its database backends and the machine over the measured window."""

    def __init__(self, args: argparse.Namespace, app_pids: list[int]) -> None:
        self.args, self.app_pids, self.db_pids = args, app_pids, database_backends(args)
        self.busy, self.ticks = machine_busy()
        self.app, self.db = cpu_seconds(app_pids), cpu_seconds(self.db_pids)
        self.groups = groups(args)

    def stop(self) -> None:
        busy, ticks = machine_busy()
        self.busy, self.ticks = busy - self.busy, ticks - self.ticks
        self.app = cpu_seconds(self.app_pids) - self.app
        self.db = cpu_seconds(self.db_pids) - self.db
        self.groups = groups(self.args) - self.groups

    def fill(self, load: Load) -> Load:
        load.busy, load.ticks, load.app_cpu, load.db_cpu = self.busy, self.ticks, self.app, self.db
        load.groups = self.groups
        return load


def run_python(args: argparse.Namespace, app_pids: list[int], data_dir: Path) -> Load:
    """This script's client: one process per client, each finishing its last request."""
    begin_at = time.time() + 1.0
    start_at = begin_at + args.warmup
    stop_at = start_at + args.duration
    own_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    pool = multiprocessing.get_context("fork").Pool(args.clients)
    pending = pool.map_async(
        client, [(i, args.port, begin_at, start_at, stop_at) for i in range(args.clients)]
    )
    while time.time() < start_at:
        time.sleep(0.01)
    window = Window(args, app_pids)
    results = pending.get()
    window.stop()
    pool.close()
    pool.join()
    own_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    latencies = sorted(x for r in results for x in r["latencies"])  # type: ignore[attr-defined]
    statuses: dict[int, int] = {}
    warm: dict[int, int] = {}
    for r in results:
        for status, count in r["statuses"].items():  # type: ignore[attr-defined]
            statuses[status] = statuses.get(status, 0) + count
        for status, count in r["warm"].items():  # type: ignore[attr-defined]
            warm[status] = warm.get(status, 0) + count
    generator_cpu = (own_after.ru_utime + own_after.ru_stime) - (own_before.ru_utime + own_before.ru_stime)
    load = Load(
        seconds=args.duration,
        statuses=statuses,
        warm=warm,
        numbers=[n for r in results for n in r["numbers"]],  # type: ignore[attr-defined]
        p50=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p95=latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else float("nan"),
        max=latencies[-1] * 1000 if latencies else float("nan"),
        # (the whole run: its warm-up too)
        generator_cpu=generator_cpu * args.duration / (args.duration + args.warmup),
    )
    return window.fill(load)


def run_wrk(args: argparse.Namespace, app_pids: list[int], data_dir: Path) -> Load:
    """Debian's wrk with bench/intake.lua: a warm-up run, then the measured run. wrk stops at its
    deadline with requests in flight: the server still writes those reports, nobody reads their
    answers (at most one per connection and run)."""
    body = json.dumps(BODY_TEMPLATE)

    def wrk(seconds: float, prefix: str) -> tuple[dict[str, int], dict[int, int], list[str], float]:
        out = data_dir / f"wrk-{prefix}.txt"
        env = {
            **os.environ,
            "ADUAN_BENCH_BODY": body,
            "ADUAN_BENCH_PREFIX": f"{prefix}-{os.getpid()}-{time.time_ns()}",
            "ADUAN_BENCH_OUT": str(out),
        }
        threads = max(1, min(os.cpu_count() or 1, args.clients))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(args.clients),
                "-d",
                f"{seconds:.0f}s",
                "-s",
                str(ROOT / "bench" / "intake.lua"),
                f"http://127.0.0.1:{args.port}/api/v1/reports",
            ],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        values: dict[str, int] = {}
        statuses: dict[int, int] = {}
        numbers: list[str] = []
        for line in out.read_text().splitlines():
            key, _, rest = line.partition(" ")
            if key == "status":
                code, count = rest.split()
                statuses[int(code)] = statuses.get(int(code), 0) + int(count)
            elif key == "number":
                numbers.append(rest)
            else:
                values[key] = int(rest)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return values, statuses, numbers, cpu

    _, warm, warm_numbers, _ = wrk(args.warmup, "warm")
    window = Window(args, app_pids)
    values, statuses, numbers, cpu = wrk(args.duration, "run")
    window.stop()
    load = Load(
        seconds=values["duration_us"] / 1e6,
        statuses=statuses,
        warm=warm,
        numbers=warm_numbers + numbers,
        p50=values["p50_us"] / 1000,
        p95=values["p95_us"] / 1000,
        max=values["max_us"] / 1000,
        generator_cpu=cpu,
        abandoned_allowed=2 * args.clients,
    )
    if values.get("socket_errors"):
        print(f"wrk socket errors: {values['socket_errors']}")
    return window.fill(load)


def check_durable(args: argparse.Namespace, load: Load, in_db: int) -> bool:
    """Every 201's report is in the database, and no report is there that no request asked for."""
    answered = load.numbers
    with psycopg.connect(f"{args.db_url}/{args.db_name}") as conn:
        row = conn.execute(
            "SELECT count(*) FROM intake_report WHERE tracking_number = ANY(%s)", [answered]
        ).fetchone()
    found = int(row[0]) if row else 0
    created = load.statuses.get(201, 0) + load.warm.get(201, 0)
    abandoned = in_db - len(answered)
    print(
        f"reports in database: {in_db}; 201 answers: {load.statuses.get(201, 0)} measured + "
        f"{load.warm.get(201, 0)} warm-up, each with its tracking number: {found} of {len(answered)} found"
        + (
            f"; {abandoned} written for requests the generator left unanswered at its stop"
            if abandoned
            else ""
        )
    )
    return (
        found == len(answered) == len(set(answered)) == created and 0 <= abandoned <= load.abandoned_allowed
    )


def server_command(args: argparse.Namespace, data_dir: Path) -> list[str]:
    """The server as production runs it (aduan serve: nginx in front of uWSGI with uwsgi.ini),
    or uWSGI's own router (--front router), without request logging."""
    command = [
        str(VENV_BIN / "aduan"),
        "serve",
        *("--port", str(args.port)),
        *("--processes", str(args.workers)),
        *("--threads", str(args.threads)),
        "--no-request-log",
        *("--log", str(data_dir / "uwsgi.log")),  # its start and stop messages, out of the figures
    ]
    if args.front == "router":
        command = [
            str(VENV_BIN / "uwsgi"),
            *("--ini", str(ROOT / "uwsgi.ini")),
            *("--http", f"127.0.0.1:{args.port}", "--http-keepalive=1"),
            *("--processes", str(args.workers), "--threads", str(args.threads), "--disable-logging"),
            *("--socket", str(data_dir / "uwsgi.sock"), "--chmod-socket=600"),
            *("--logto", str(data_dir / "uwsgi.log")),
        ]
    return command


def bench_environment(args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    """A fresh data directory for the server and its environment (the rate limit off)."""
    data_dir = Path(f"/tmp/aduan-bench-{args.port}")
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
        "DATABASE_URL": f"{args.db_url}/{args.db_name}",
        "ADUAN_DATA_DIR": str(data_dir),
        "ADUAN_API_RATE_LIMIT": "false",
        "ADUAN_DEBUG": "false",
        "ADUAN_LOG_LEVEL": "WARNING",
        "ADUAN_DB_CONN_MAX_AGE": "600",
    }
    return data_dir, env


def main() -> None:
    args = parse_args()
    data_dir, env = bench_environment(args)
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            raise SystemExit(f"port {args.port} is taken (a server left from an earlier --keep run?)")
    print(f"preparing database {args.db_name} …", flush=True)
    prepare_database(args, env)
    command = server_command(args, data_dir)
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        wait_for(args.port)
        before_reports = count_reports(args)
        print(
            f"{args.front} + uWSGI x{args.workers} (threads {args.threads}); "
            f"{args.clients} clients, {args.warmup:.0f} s warm-up + {args.duration:.0f} s …",
            flush=True,
        )
        app_pids = [server.pid, *children_of(server.pid)]
        run = run_wrk if args.generator == "wrk" else run_python
        load = run(args, app_pids, data_dir)
    finally:
        if not args.keep:
            server.terminate()
            server.wait(timeout=30)
    in_db = count_reports(args) - before_reports
    created = load.statuses.get(201, 0)
    cores = os.cpu_count() or 1
    machine = load.busy / max(1.0, load.ticks) * 100
    rate = created / load.seconds
    print(f"answers: {dict(sorted(load.statuses.items()))}")
    print(f"latency: p50 {load.p50:.1f} ms, p95 {load.p95:.1f} ms, max {load.max:.1f} ms")
    print(
        f"CPU in the measured window: machine {machine:.0f}% busy ({cores} cores, other processes included); "
        f"server (nginx + uWSGI) {load.app_cpu:.1f} s, its PostgreSQL backends {load.db_cpu:.1f} s; "
        f"load generator ({args.generator}) {load.generator_cpu:.1f} s"
    )
    if created:
        per_report = (load.app_cpu + load.db_cpu) / created * 1000
        print(
            f"CPU per report: {load.app_cpu / created * 1000:.2f} ms app + {load.db_cpu / created * 1000:.2f} ms "
            f"database = {per_report:.2f} ms -> at most ~{cores * 1000 / per_report:.0f} reports/s on {cores} idle cores"
        )
        print(
            f"group commit: {load.groups} transactions for {created} reports "
            f"({created / max(1, load.groups):.1f} reports per transaction)"
        )
    durable = check_durable(args, load, in_db)
    print(f"task queue after the load (no worker running): {queued_tasks(args) or 'empty'}")
    print(
        f"SUMMARY intake: {rate:.0f} durable reports/s ({created} x 201 in {load.seconds:.1f} s, "
        f"{args.clients} clients, {args.front} + uWSGI x{args.workers} threads {args.threads}), p50 {load.p50:.1f} ms, "
        f"p95 {load.p95:.1f} ms, load generator {args.generator} {load.generator_cpu / load.seconds * 100:.0f}% "
        f"of one core, every 201 in the database: {'OK' if durable else 'MISMATCH'}"
    )
    if args.explain:
        explain(env)
    sys.exit(0 if durable else 1)


if __name__ == "__main__":
    main()
