"""Read paths at two sizes: p50/p95 per path, the ratio, and each path's slowest query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aduan_reads_bench .venv/bin/python bench/reads.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aduan_reads_bench \
        .venv/bin/python bench/reads.py --db-per-size --sizes 10000,1000000

For each size (--sizes, default 10,000 and 200,000 reports) it reuses the database when it already
holds exactly that many reports, or else empties it and generates them with COPY
(aduan.evaluation.benchdata, ~2.5 min for 1M) and runs VACUUM ANALYZE. With --db-per-size each size
has its own database (the name plus _10k, _1m, ...), kept between runs. Then it times every path in
process through django.test.Client (no HTTP server: this measures the application and its queries,
not the socket; bench/keepalive.py measures the servers, new against kept-alive connections), as a
signed-in coordinator, OPD admin, pimpinan or an API token: the best of 3 rounds of --runs requests.
--only takes a comma-separated list of path labels. The machine's other load falls on both sizes:
re-run a noisy path with --only.
The databases are emptied: never point them at real data (their names must contain "bench").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aduan_reads_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")
os.environ.setdefault("ADUAN_DATA_DIR", "/tmp/aduan-bench-reads")

from django.test import Client  # noqa: E402

from bench.evaluation import ensure_database  # noqa: E402

PATHS = [
    ("queue baru", "koordinator", "/konsol/antrean/baru/"),
    ("queue semua", "koordinator", "/konsol/antrean/semua/"),
    ("queue semua p40", "koordinator", "/konsol/antrean/semua/?hal=40"),
    ("search q=jalan", "koordinator", "/konsol/antrean/semua/?q=jalan"),
    ("OPD queue baru", "opd", "/konsol/antrean/baru/"),
    ("OPD queue diproses", "opd", "/konsol/antrean/diproses/"),
    ("OPD queue semua", "opd", "/konsol/antrean/semua/"),
    ("OPD search q=jalan", "opd", "/konsol/antrean/semua/?q=jalan"),
    # Two frequent words, together in one report in ten, and never together: the planner takes
    # them as independent either way (the second walked all 10M reports for a page, 24 s).
    ("search 2 words", "koordinator", "/konsol/antrean/semua/?q=jalan+rusak"),
    ("OPD search 2 words", "opd", "/konsol/antrean/semua/?q=jalan+rusak"),
    ("search no match", "koordinator", "/konsol/antrean/semua/?q=sampah+jalan"),
    ("OPD search no match", "opd", "/konsol/antrean/semua/?q=sampah+jalan"),
    # A filter no report passes (the dashboard's drill-down by channel): the capped count has to
    # rule out every report, through the channel's index.
    ("queue ?channel=instansi", "koordinator", "/konsol/antrean/semua/?channel=instansi"),
    ("OPD ?channel=instansi", "opd", "/konsol/antrean/semua/?channel=instansi"),
    ("pimpinan semua", "pimpinan", "/konsol/antrean/semua/"),
    ("console report page", "koordinator", "/konsol/laporan/{report}/"),
    ("public feed p1", "anon", "/laporan/"),
    ("feed ?kecamatan", "anon", "/laporan/?kecamatan=35.02.17"),
    ("API list p1", "api", "/api/v1/reports?page=1"),
    ("Open311 list", "anon", "/api/open311/v2/requests.json"),
    (
        "Open311 2025-10..12",
        "anon",
        "/api/open311/v2/requests.json?start_date=2025-10-01T00:00:00Z&end_date=2025-12-29T00:00:00Z",
    ),
]


def latency(get: Any, runs: int, rounds: int = 3) -> tuple[float, float]:
    for _ in range(3):
        assert get().status_code == 200
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        samples = []
        for _ in range(runs):
            begun = time.perf_counter()
            assert get().status_code == 200
            samples.append((time.perf_counter() - begun) * 1000)
        samples.sort()
        result = (statistics.median(samples), samples[max(0, int(0.95 * len(samples)) - 1)])
        if best is None or result[1] < best[1]:
            best = result
    assert best is not None
    return best


def slowest_query(get: Any) -> tuple[float, str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        get()
    queries = captured.captured_queries
    top = max(queries, key=lambda q: float(q["time"]))
    return float(top["time"]) * 1000, " ".join(top["sql"].split())[:140], len(queries)


CHUNK = 1_000_000
BASE_URL, BASE_NAME = os.environ["DATABASE_URL"].split("?")[0].rsplit("/", 1)


def database_for(size: int, per_size: bool) -> str:
    """The bench database of one size: DATABASE_URL's name, or with --db-per-size its name plus
    _10k / _1m / _10m, so each size is generated once and reused across runs."""
    name = BASE_NAME
    if not per_size:
        return name
    label = f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k"
    return f"{name}_{label}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,200000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db-per-size", action="store_true", help="one database per size (kept)")
    parser.add_argument("--only", default="", help="comma-separated path labels to measure")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        os.environ["DATABASE_URL"] = f"{BASE_URL}/{database_for(size, args.db_per_size)}"
        ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from aduan.directory.ponorogo import ensure_ponorogo_directory
    from aduan.evaluation.benchdata import generate, progress_bar, reset
    from aduan.intake.models import Report

    # force_login signs the bench personas in with no second factor (as the tests' personas).
    settings.ADUAN_OTP_REQUIRED_ROLES = frozenset()
    paths = [p for p in PATHS if not args.only or p[0] in args.only.split(",")]
    results: dict[str, dict[int, tuple[float, float]]] = {}
    for size in sizes:
        connections.close_all()
        connection.settings_dict["NAME"] = database_for(size, args.db_per_size)
        call_command("migrate", verbosity=0)
        ensure_ponorogo_directory()
        have = Report.objects.count()
        if have != size:
            # In committed chunks of 1M (one seed each): a stopped 10M run keeps what it wrote,
            # and the next run appends the rest.
            if have > size or have % CHUNK:
                reset()
                have = 0
            begun = time.perf_counter()
            bar = progress_bar("laporan")
            while have < size:
                n = min(CHUNK, size - have)
                # One bar over the whole size, not one per chunk.
                generate(
                    n,
                    seed=42 + have // CHUNK,
                    progress=lambda done, _, b=bar, at=have, of=size: b(at + done, of),
                )
                have += n
                print(f"  {have:,} reports after {time.perf_counter() - begun:.0f} s", flush=True)
            print(f"generated {size:,} reports in {time.perf_counter() - begun:.0f} s", flush=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        clients, report = _clients()
        print(f"\n{size:,} reports ({connection.settings_dict['NAME']})")
        for label, who, url in paths:
            client = clients[who]

            def get(client: Client = client, url: str = url.format(report=report)) -> Any:
                return client.get(url)

            p50, p95 = latency(get, args.runs)
            ms, sql, n = slowest_query(get)
            results.setdefault(label, {})[size] = (p50, p95)
            print(
                f"  {label:<24} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {n:2} queries, slowest {ms:6.1f} ms: {sql}",
                flush=True,
            )
    # p50 / p95 at every size, and each larger size's p95 against the smallest's.
    small = sizes[0]
    header = f"\n{'path':<24}" + "".join(f" {'p50/p95 ' + format(size, ','):>22}" for size in sizes)
    print(header + "".join(f" {format(size, ',') + '/' + format(small, ','):>18}" for size in sizes[1:]))
    for label, by_size in results.items():
        line = f"{label:<24}" + "".join(
            f" {by_size[size][0]:9.1f}/{by_size[size][1]:9.1f} ms" for size in sizes
        )
        print(line + "".join(f" {by_size[size][1] / by_size[small][1]:17.2f}x" for size in sizes[1:]))


def _clients() -> tuple[dict[str, Client], str]:
    """Signed-in clients of the current database's bench personas, and a disposed report's number."""
    from aduan.accounts.models import User
    from aduan.api.services import token_create
    from aduan.core.roles import Role
    from aduan.directory.models import Agency
    from aduan.intake.models import Report

    def user(name: str, role: Role, agency: str) -> User:
        return User.objects.filter(username=name).first() or User.objects.create_user(
            name, password=None, role=role, agency=Agency.objects.get(code=agency)
        )

    clients: dict[str, Client] = {"anon": Client()}
    for key, name, role, agency in [
        ("koordinator", "bench-koordinator", Role.COORDINATOR, "diskominfo"),
        ("opd", "bench-opd-dinkes", Role.OPD_ADMIN, "dinkes"),
        ("pimpinan", "bench-pimpinan", Role.LEADER, "pemkab-ponorogo"),
    ]:
        clients[key] = Client()
        clients[key].force_login(user(name, role, agency))
    token = token_create(user=user("bench-koordinator", Role.COORDINATOR, "diskominfo"), name="bench")[1]
    clients["api"] = Client(headers={"Authorization": f"Bearer {token}"})
    report = Report.objects.filter(lead_agency__isnull=False).order_by("-submitted_at").first()
    return clients, report.tracking_number if report else ""


if __name__ == "__main__":
    main()
