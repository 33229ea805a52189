"""Capacity: what one server carries under a realistic mix of work (issue 18).

Starts the server the way `make run` and production start it (`aduan serve`: nginx in front of
uWSGI with uwsgi.ini, ADUAN_LOG_FORMAT=json) and one `aduan worker`, on a fresh PostgreSQL
database holding the Ponorogo directory and --seed synthetic reports (so that the feed and the
statistics read a populated database), then runs concurrent clients, each a thread with its own
kept-alive connection (http.client), for --duration seconds after a warm-up:

- citizens posting a report with a photo through the API (POST /api/v1/reports, multipart, as
  the mobile app does) and through the portal's form (GET /lapor/, then POST /lapor/ with the
  CSRF token), each with an e-mail address, so the worker delivers a confirmation per report;
- citizens tracking their report (GET /api/v1/reports/<number> with X-Access-Code);
- the public feed (/laporan/, pages and a kecamatan filter) and statistics (/statistik/,
  /api/v1/stats);
- staff working the reports that came in: verify and dispose (a coordinator's token), accept and
  follow up (an admin of Dinas PUPR, whose follow-ups need no approval), through the API's
  action routes.

It prints requests/s per kind with p50/p95 and errors, the CPU the server, the database and this
generator took, what the worker delivered, whether every log line was JSON and whether the
request ids of the submissions reappear in the worker's delivery lines, and a summary a guide can
quote, beside Ponorogo's 52 reports in 2022 and LAPOR!'s ~800 a day nationally.

    .venv/bin/python bench/capacity.py                        # 60 s, the default mix
    .venv/bin/python bench/capacity.py --duration 30 --mix photo=2,portal=1,track=2,feed=2,stats=1,staff=1

Clients post and read back to back (no think time): the figures are what the server sustains
when saturated by this mix, not what a number of citizens costs. API rate limits are off for the
run (every client comes from 127.0.0.1). E-mail goes to Django's dummy backend: the worker does
all of its work but the SMTP conversation. The database is dropped and created again: its name
must contain "bench". Not a pytest test.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import io
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.intake import (  # noqa: E402
    children_of,
    cpu_seconds,
    database_backends,
    database_recreate,
    machine_busy,
)

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PONOROGO_PER_YEAR = 52  # reports received in 2022 (DOMAIN.md §1)
LAPOR_PER_DAY = 800  # SP4N-LAPOR! nationally, about
KINDS = {
    # kind: (label, counted as)
    "photo": ("report + photo, API", "report"),
    "portal": ("report + photo, portal form", "report"),
    "form": ("portal form page", "read"),
    "track": ("tracking (API + code)", "read"),
    "feed": ("public feed", "read"),
    "stats": ("public statistics", "read"),
    "staff": ("staff action (API)", "staff"),
}
DEFAULT_MIX = "photo=3,portal=2,track=3,feed=3,stats=2,staff=2"

SETUP = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from aduan.accounts.models import User
from aduan.api.services import token_create
from aduan.core.roles import Role
from aduan.directory.models import Agency
from aduan.directory.ponorogo import ensure_ponorogo_directory
from aduan.evaluation.benchdata import generate
ensure_ponorogo_directory()
if SEED:
    generate(SEED)
tokens = {}
for key, role, agency in [("koordinator", Role.COORDINATOR, "diskominfo"), ("opd", Role.OPD_ADMIN, "pupr")]:
    user = User.objects.create_user(f"bench-{key}", password=None, role=role, agency=Agency.objects.get(code=agency))
    tokens[key] = token_create(user=user, name="capacity bench")[1]
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
print(json.dumps(tokens))
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=8.0, help="seconds of load before measuring")
    parser.add_argument("--mix", default=DEFAULT_MIX, help="clients per kind: " + ", ".join(KINDS))
    parser.add_argument("--port", type=int, default=9401)
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432", help="no database name")
    parser.add_argument("--db-name", default="h_cap_bench")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/h_cap_bench"))
    parser.add_argument("--seed", type=int, default=5000, help="synthetic reports in the database first")
    parser.add_argument("--processes", type=int, help="uWSGI processes (default: uwsgi.ini's)")
    parser.add_argument("--threads", type=int, help="threads per uWSGI process (default: uwsgi.ini's)")
    parser.add_argument("--photo", default="2048x1536", help="photo size (a phone photo the app scaled down)")
    args = parser.parse_args()
    if "bench" not in args.db_name:
        parser.error("--db-name must contain 'bench': the database is dropped")
    mix = {}
    for item in args.mix.split(","):
        kind, _, n = item.partition("=")
        if kind.strip() not in KINDS or kind.strip() == "form":
            parser.error(f"unknown kind in --mix: {kind!r}")
        mix[kind.strip()] = int(n)
    args.mix = mix
    return args


# --- the server -------------------------------------------------------------------------------


def server_env(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{args.db_url}/{args.db_name}",
        "ADUAN_DATA_DIR": str(args.data_dir),
        "ADUAN_SITE_URL": f"http://127.0.0.1:{args.port}",
        "ADUAN_LOG_FORMAT": "json",
        "ADUAN_API_RATE_LIMIT": "false",
        "ADUAN_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
    }


def prepare(args: argparse.Namespace, env: dict[str, str]) -> dict[str, str]:
    """A fresh database: migrated, the Ponorogo directory, --seed reports, two staff tokens."""
    database_recreate(args.db_url, args.db_name)
    shutil.rmtree(args.data_dir, ignore_errors=True)
    args.data_dir.mkdir(parents=True)
    code = SETUP.replace("SEED", str(args.seed))
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [str(VENV_BIN / "python"), "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def start(
    args: argparse.Namespace, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    serve = [str(VENV_BIN / "aduan"), "serve", "--port", str(args.port)]
    if args.processes:
        serve += ["--processes", str(args.processes)]
    if args.threads:
        serve += ["--threads", str(args.threads)]
    with (
        open(args.data_dir / "server.log", "wb") as server_log,
        open(args.data_dir / "worker.log", "wb") as worker_log,
    ):
        server = subprocess.Popen(serve, env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT)  # noqa: S603
        worker = subprocess.Popen(  # noqa: S603
            [str(VENV_BIN / "aduan"), "worker"],
            env=env,
            cwd=ROOT,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"aduan serve stopped (see {args.data_dir / 'server.log'})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return server, worker
        except OSError:
            pass
        time.sleep(0.3)
    stop(server, worker)
    raise SystemExit("the server was not ready in 60 s")


def stop(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the clients ------------------------------------------------------------------------------


def make_photo(seed: int, size: str) -> bytes:
    from PIL import Image, ImageDraw

    w, h = (int(x) for x in size.split("x"))
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    image = Image.blend(base, Image.effect_noise((w, h), 40).convert("RGB"), 0.35)
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(w), rng.randrange(h)
        color = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle([x, y, x + rng.randrange(40, 400), y + rng.randrange(40, 300)], fill=color)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="foto.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


TITLES = ["Jalan berlubang di depan pasar", "Lampu jalan mati sebulan", "Sampah menumpuk di saluran air"]
DESCRIPTION = (
    "Sudah dua minggu belum ditangani, pengendara motor jatuh pada malam hari karena tidak ada "
    "penerangan. Mohon segera diperbaiki dan diberi rambu sementara."
)
KECAMATAN = ["35.02.17", "35.02.01", "35.02.05", "35.02.10", "35.02.12"]


class Shared:
    """What the clients hand each other: reports to track, reports for staff to work on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tracked: list[tuple[str, str]] = []
        self.to_verify: collections.deque[str] = collections.deque()


class Client(threading.Thread):
    def __init__(
        self, kind: str, n: int, args: argparse.Namespace, shared: Shared, ctx: dict[str, Any]
    ) -> None:
        super().__init__(name=f"{kind}-{n}", daemon=True)
        self.kind, self.n, self.args, self.shared, self.ctx = kind, n, args, shared, ctx
        self.rng = random.Random(f"{kind}-{n}")
        self.samples: list[tuple[str, float, float, bool]] = []  # (kind, started, seconds, ok)
        self.errors: collections.Counter[str] = collections.Counter()
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.seq = 0

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> tuple[int, bytes, http.client.HTTPResponse | None]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.time()
        t0 = time.perf_counter()
        status, data, response = 0, b"", None
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=120)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";")[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as exc:
            self.errors[f"{kind}: {exc.__class__.__name__}"] += 1
            if self.conn is not None:
                self.conn.close()
            self.conn = None
        ok = status in expect
        if status and not ok:
            self.errors[f"{kind}: HTTP {status}"] += 1
        self.samples.append((kind, started, time.perf_counter() - t0, ok))
        return status, data, response

    def run(self) -> None:
        stop_at = self.ctx["stop_at"]
        while time.time() < stop_at:
            getattr(self, "do_" + self.kind)()

    def do_photo(self) -> None:
        self.seq += 1
        fields = {
            "kind": "pengaduan",
            "title": self.rng.choice(TITLES),
            "description": DESCRIPTION,
            "region": self.rng.choice(KECAMATAN),
            "email": f"warga{self.n}.{self.seq}@example.org",
        }
        body, content_type = multipart(fields, self.rng.choice(self.ctx["photos"]))
        headers = {
            "Content-Type": content_type,
            "X-Device-Id": f"capacity-{self.n:04d}-device",
            "Idempotency-Key": f"cap-{self.n}-{self.seq}-{uuid.uuid4().hex[:8]}",
        }
        status, data, _ = self.call("photo", "POST", "/api/v1/reports", body, headers, expect=(201,))
        if status == 201:
            answer = json.loads(data)
            with self.shared.lock:
                self.shared.tracked.append((answer["tracking_number"], answer["access_code"]))
                self.shared.to_verify.append(answer["tracking_number"])

    def do_portal(self) -> None:
        self.seq += 1
        status, _, _ = self.call("form", "GET", "/lapor/")
        token = self.cookies.get("csrftoken", "")
        if status != 200 or not token:
            return
        fields = {
            "csrfmiddlewaretoken": token,
            "kind": "pengaduan",
            "title": self.rng.choice(TITLES),
            "description": DESCRIPTION,
            "incident_date": "",
            "kecamatan": self.rng.choice(KECAMATAN),
            "desa": "",
            "address": "Jl. Soekarno-Hatta",
            "latitude": "",
            "longitude": "",
            "category": "",
            "name": "",
            "phone": "",
            "email": f"portal{self.n}.{self.seq}@example.org",
            "consent": "on",
        }
        body, content_type = multipart(fields, self.rng.choice(self.ctx["photos"]))
        self.call("portal", "POST", "/lapor/", body, {"Content-Type": content_type}, expect=(302,))

    def do_track(self) -> None:
        with self.shared.lock:
            pick = self.rng.choice(self.shared.tracked) if self.shared.tracked else None
        if pick is None:
            time.sleep(0.05)
            return
        number, code = pick
        self.call("track", "GET", f"/api/v1/reports/{number}", headers={"X-Access-Code": code})

    def do_feed(self) -> None:
        choice = self.rng.random()
        if choice < 0.5:
            path = "/laporan/"
        elif choice < 0.8:
            path = f"/laporan/?halaman={self.rng.randint(2, 6)}"
        else:
            path = f"/laporan/?kecamatan={self.rng.choice(KECAMATAN)}"
        self.call("feed", "GET", path)

    def do_stats(self) -> None:
        self.call("stats", "GET", "/statistik/" if self.rng.random() < 0.6 else "/api/v1/stats")

    def do_staff(self) -> None:
        with self.shared.lock:
            number = self.shared.to_verify.popleft() if self.shared.to_verify else None
        if number is None:
            time.sleep(0.05)
            return
        coordinator = {
            "Authorization": f"Bearer {self.ctx['tokens']['koordinator']}",
            "Content-Type": "application/json",
        }
        opd = {"Authorization": f"Bearer {self.ctx['tokens']['opd']}", "Content-Type": "application/json"}
        steps = [
            (
                coordinator,
                "verify",
                {"classification": "pengaduan_tidak_berkadar_pengawasan", "category": "kesehatan"},
            ),
            (
                coordinator,
                "dispose",
                {"lead": "pupr", "supporting": [], "instruction": "Mohon ditindaklanjuti."},
            ),
            (opd, "accept", {}),
            (
                opd,
                "follow_up",
                {"text": "Petugas sudah meninjau lokasi dan perbaikan dijadwalkan pekan ini."},
            ),
        ]
        for headers, action, body in steps:
            status, _, _ = self.call(
                "staff",
                "POST",
                f"/api/v1/reports/{number}/actions/{action}",
                json.dumps(body).encode(),
                headers,
            )
            if status != 200:
                return


class CpuSampler(threading.Thread):
    """CPU seconds of the server's processes (nginx, uWSGI's master and workers), the database's
    backends and the worker, sampled twice a second: uWSGI recycles a worker past its memory
    limit and backends come and go, and a process that has exited can no longer be asked."""

    def __init__(self, args: argparse.Namespace, server: int, worker: int) -> None:
        super().__init__(name="cpu-sampler", daemon=True)
        self.args, self.server, self.worker = args, server, worker
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.stopped = threading.Event()
        self.sample(baseline=True)

    def sample(self, *, baseline: bool = False) -> None:
        groups = {
            "server": [self.server, *children_of(self.server)],
            "database": database_backends(self.args),
            "worker": [self.worker],
        }
        for group, pids in groups.items():
            for pid in pids:
                used = cpu_seconds([pid])
                # A process born during the run counts from zero.
                self.first.setdefault((group, pid), used if baseline else 0.0)
                self.last[(group, pid)] = used

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            self.sample()

    def totals(self) -> dict[str, float]:
        self.stopped.set()
        self.join()
        self.sample()
        out = {"server": 0.0, "database": 0.0, "worker": 0.0}
        for key, used in self.last.items():
            out[key[0]] += max(0.0, used - self.first[key])
        return out


# --- after the load ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def outbox(args: argparse.Namespace) -> dict[str, int]:
    with psycopg.connect(f"{args.db_url}/{args.db_name}") as conn:
        rows = conn.execute(
            "SELECT state, count(*) FROM notifications_outboundmessage GROUP BY state"
        ).fetchall()
    return {str(state): int(n) for state, n in rows}


def logs(args: argparse.Namespace) -> dict[str, Any]:
    """Every log line parsed: JSON or not, and whether a submission's request id reappears in the
    worker's line about delivering its confirmation."""
    json_lines: list[dict[str, Any]] = []
    other: list[str] = []
    for name in ("server.log", "worker.log"):
        for line in (args.data_dir / name).read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                other.append(f"{name}: {line}")
                continue
            entry["_file"] = name
            json_lines.append(entry)
    posted = {
        e["request_id"]
        for e in json_lines
        if e.get("logger") == "aduan.request"
        and e.get("method") == "POST"
        and e.get("status") in (201, 302)
        and e.get("path") in ("/api/v1/reports", "/lapor/")
    }
    delivered = {
        e.get("request_id")
        for e in json_lines
        if e["_file"] == "worker.log" and e.get("logger") == "aduan.notifications.delivery"
    }
    return {"json": len(json_lines), "other": other, "posted": len(posted), "traced": len(posted & delivered)}


def main() -> None:
    args = parse_args()
    env = server_env(args)
    print(
        f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB RAM; "
        f"load average before: {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    begun = time.perf_counter()
    tokens = prepare(args, env)
    print(
        f"database {args.db_name}: migrated, Ponorogo directory, {args.seed:,} reports ({time.perf_counter() - begun:.0f} s)",
        flush=True,
    )
    photos = [make_photo(seed, args.photo) for seed in range(4)]
    print(
        f"photos: {args.photo} JPEG, {statistics.mean(len(p) for p in photos) / 1024:.0f} KB on average",
        flush=True,
    )
    server, worker = start(args, env)
    try:
        shared = Shared()
        begin = time.time()
        ctx = {"photos": photos, "tokens": tokens, "stop_at": begin + args.warmup + args.duration}
        measure_from = begin + args.warmup
        clients = [
            Client(kind, n, args, shared, ctx) for kind, count in args.mix.items() for n in range(count)
        ]
        print(
            f"load: {len(clients)} clients ({', '.join(f'{k} {v}' for k, v in args.mix.items())}), "
            f"{args.warmup:.0f} s warm-up, {args.duration:.0f} s measured",
            flush=True,
        )
        for c in clients:
            c.start()
        time.sleep(max(0.0, measure_from - time.time()))
        sampler = CpuSampler(args, server.pid, worker.pid)
        sampler.start()
        gen0 = time.process_time()
        busy0 = machine_busy()
        for c in clients:
            c.join()
        measured = time.time() - measure_from
        cpu = sampler.totals()
        gen_cpu = time.process_time() - gen0
        busy1 = machine_busy()
        # The worker's backlog: confirmations still queued at the end get a moment to leave.
        deadline = time.monotonic() + 60
        while outbox(args).get("pending", 0) and time.monotonic() < deadline:
            time.sleep(1)
        messages = outbox(args)
    finally:
        stop(server, worker)

    samples = [s for c in clients for s in c.samples if s[1] >= measure_from]
    errors = collections.Counter[str]()
    for c in clients:
        errors.update(c.errors)
    print(f"\n{'kind':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ok':>7} {'errors':>7}")
    per_kind: dict[str, float] = {}
    for kind, (label, _) in KINDS.items():
        mine = [s for s in samples if s[0] == kind]
        if not mine:
            continue
        ok = [s[2] * 1000 for s in mine if s[3]]
        per_kind[kind] = len(ok) / measured
        p50 = statistics.median(ok) if ok else float("nan")
        p95 = percentile(ok, 0.95) if ok else float("nan")
        print(
            f"{label:<30} {len(ok) / measured:8.1f} {p50:8.0f} {p95:8.0f} {len(ok):7} {len(mine) - len(ok):7}"
        )
    for what, n in sorted(errors.items()):
        print(f"  error: {what} x{n}")
    reports = sum(v for k, v in per_kind.items() if KINDS[k][1] == "report")
    reads = sum(v for k, v in per_kind.items() if KINDS[k][1] == "read")
    staff = sum(v for k, v in per_kind.items() if KINDS[k][1] == "staff")
    app_cpu, db_cpu, worker_cpu = cpu["server"], cpu["database"], cpu["worker"]
    busy = (busy1[0] - busy0[0]) / max(1e-9, busy1[1] - busy0[1])
    print(
        f"\nCPU over {measured:.0f} s (cores busy): server (nginx + uWSGI) {app_cpu / measured:.2f}, "
        f"PostgreSQL {db_cpu / measured:.2f}, worker {worker_cpu / measured:.2f}, this generator "
        f"{gen_cpu / measured:.2f}; the whole machine {busy:.0%} busy (other engineers' work included); "
        f"load average after: {os.getloadavg()[0]:.2f}"
    )
    print(
        f"outbox after the load: {messages} (a confirmation e-mail per report and the staff's notices, delivered by the worker)"
    )
    seen = logs(args)
    print(
        f"logs: {seen['json']:,} JSON lines, {len(seen['other'])} other lines; "
        f"{seen['traced']:,} of {seen['posted']:,} submissions' request ids reappear in the worker's delivery lines"
    )
    for line in seen["other"][:5]:
        print(f"  not JSON: {line[:150]}")
    per_minute = reports * 60
    # What the same mix would reach with both cores to itself: the cores it used, scaled up to
    # all of them. An estimate (contention does not scale linearly), printed as one.
    used = (app_cpu + db_cpu + worker_cpu) / measured
    scale = (os.cpu_count() or 2) / max(used, 1e-9)
    print(
        f"the mix used {used:.2f} of {os.cpu_count()} cores; with the machine to itself it would reach about "
        f"{per_minute * scale:,.0f} reports/min and {reads * scale:,.0f} reads/s (an estimate: {scale:.1f}x, "
        "assuming the work scales with CPU)"
    )
    print(
        f"\nSummary: one {os.cpu_count()}-core server (nginx + uWSGI + PostgreSQL + worker on the same machine) "
        f"sustained {per_minute:,.0f} reports/min with a {statistics.mean(len(p) for p in photos) / 1024:.0f} KB photo each "
        f"while serving {reads:,.0f} reads/s and {staff:,.1f} staff actions/s. Ponorogo received "
        f"{PONOROGO_PER_YEAR} reports in all of 2022: this is {per_minute * 60 * 24 * 365 / PONOROGO_PER_YEAR:,.0f}x "
        f"that year's volume; LAPOR! takes ~{LAPOR_PER_DAY} a day nationally ({LAPOR_PER_DAY / 24 / 60:.2f}/min): "
        f"{per_minute / (LAPOR_PER_DAY / 24 / 60):,.0f}x the whole country's average rate, a day's national reports "
        f"in {LAPOR_PER_DAY / max(per_minute, 1e-9):.1f} min."
    )


if __name__ == "__main__":
    main()
