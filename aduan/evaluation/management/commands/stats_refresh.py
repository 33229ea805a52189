"""`aduan stats_refresh`: recount the pre-aggregated statistics of stale days (run it from cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aduan.evaluation.counts import refresh


class Command(BaseCommand):
    help = "Recount StatCount rows for days whose reports changed since they were last counted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat)

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r{done}/{total} bulan", ending="")

        days = refresh(start=options.get("start"), end=options.get("end"), progress=progress)
        self.stderr.write("")
        self.stdout.write(f"{days} bulan dihitung ulang")
