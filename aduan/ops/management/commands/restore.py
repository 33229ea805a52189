"""`aduan restore DIR`: a backup into an empty installation, after checking every checksum."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.ops.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = "Pulihkan cadangan `aduan backup` ke instalasi kosong (basis data baru tanpa tabel)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="direktori cadangan")
        parser.add_argument("--check", action="store_true", help="hanya periksa checksum, tanpa memulihkan")

    def handle(self, *args: Any, source: str, check: bool, **options: Any) -> None:
        path = Path(source).expanduser().resolve()
        try:
            if check:
                manifest = backup_verify(path)
                self.stdout.write(f"Cadangan utuh: {len(manifest['files'])} berkas cocok dengan manifest.")
                return
            restored = backup_restore(source=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Dipulihkan: {restored.reports} laporan, {restored.files} berkas lampiran.")
