"""`aduan retention apply [--dry-run]`: erase personal data past the retention period (UU 27/2022)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from aduan.workflow.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Retensi data pribadi (UU 27/2022): 'apply' menghapus data pribadi pelapor, lokasi persis dan "
        "lampiran laporan yang sudah ditutup lebih lama dari masa retensi."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        apply = sub.add_parser("apply", help="Hapus data pribadi yang melewati masa retensi")
        apply.add_argument(
            "--dry-run", action="store_true", help="Hanya sebutkan laporannya, tanpa menghapus"
        )

    def handle(self, *args: Any, subcommand: str, dry_run: bool, **options: Any) -> None:
        result = retention_apply(dry_run=dry_run)
        years = settings.ADUAN_RETENTION_YEARS
        cutoff = result.cutoff.date().isoformat()
        for number in result.tracking_numbers:
            self.stdout.write(number)
        count = len(result.tracking_numbers)
        if dry_run:
            self.stdout.write(
                f"{count} laporan ditutup sebelum {cutoff} (retensi {years} tahun) akan dihapus data pribadinya."
            )
        else:
            self.stdout.write(
                f"{count} laporan ditutup sebelum {cutoff} (retensi {years} tahun): data pribadi dihapus."
            )
