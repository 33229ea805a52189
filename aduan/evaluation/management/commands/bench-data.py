"""`aduan bench-data --reports 1000000`: a realistic synthetic dataset (PostgreSQL COPY)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from aduan.directory.ponorogo import ensure_ponorogo_directory
from aduan.evaluation.benchdata import generate, progress_bar, reset
from aduan.evaluation.counts import refresh


class Command(BaseCommand):
    help = "Generate synthetic reports for the scale benchmark (PostgreSQL only; use a separate database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reports", type=int, default=10_000)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--append", action="store_true", help="keep the reports already there")
        parser.add_argument(
            "--no-refresh", action="store_true", help="do not compute the pre-aggregated counts"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench-data needs PostgreSQL: set DATABASE_URL to a separate benchmark database."
            )
        ensure_ponorogo_directory()
        if not options["append"]:
            reset()
        started = time.perf_counter()
        generate(
            options["reports"], year=options["year"], seed=options["seed"], progress=progress_bar("laporan")
        )
        self.stdout.write(f"{options['reports']:,} laporan dalam {time.perf_counter() - started:.1f} s")
        if not options["no_refresh"]:
            started = time.perf_counter()
            days = refresh(progress=progress_bar("hitung"))
            self.stdout.write(f"statistik {days} bulan dalam {time.perf_counter() - started:.1f} s")
