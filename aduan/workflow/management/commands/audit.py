"""`aduan audit verify`: recompute every report's audit hash chain and name the first broken link."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aduan.intake.models import Report
from aduan.workflow.audit import verify


class Command(BaseCommand):
    help = "Jejak audit: 'verify' menghitung ulang rantai hash peristiwa setiap laporan."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser(
            "verify", help="Periksa rantai hash; kode keluar bukan nol bila ada yang rusak"
        )
        check.add_argument(
            "--report", action="append", default=[], help="Nomor laporan (boleh berulang); bawaan: semua"
        )
        check.add_argument("--limit", type=int, default=20, help="Paling banyak rantai rusak yang dicetak")

    def handle(self, *args: Any, subcommand: str, report: list[str], limit: int, **options: Any) -> None:
        ids = None
        if report:
            ids = list(Report.objects.filter(tracking_number__in=report).values_list("pk", flat=True))
            if len(ids) != len(set(report)):
                raise CommandError("Nomor laporan tidak ditemukan.")
        result = verify(report_ids=ids)
        breaks = result.breaks
        for found in breaks[:limit]:
            self.stdout.write(f"RUSAK {found}")
        if len(breaks) > limit:
            self.stdout.write(f"… dan {len(breaks) - limit} rantai rusak lainnya.")
        summary = f"{result.reports} laporan, {result.events} peristiwa diperiksa"
        if breaks:
            raise CommandError(f"Jejak audit rusak pada {len(breaks)} laporan ({summary}).", returncode=1)
        self.stdout.write(f"Jejak audit utuh: {summary}.")
