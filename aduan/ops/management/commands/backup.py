"""`aduan backup -o DIR`: the database, attachments and instance key, with a manifest of checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Cadangkan basis data, lampiran dan kunci instalasi ke direktori baru (dengan manifest checksum)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="direktori tujuan (baru atau kosong)")

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        try:
            manifest = backup_create(out=Path(output).expanduser().resolve())
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = sum(meta["size"] for meta in manifest["files"].values())
        self.stdout.write(
            f"Cadangan {manifest['engine']} di {output}: {len(manifest['files'])} berkas, {size / 1e6:.1f} MB."
        )
