"""`aduan backup -o DIR`: the database, attachments and instance key, with a manifest of checksums.

With `--keep N` (the systemd timer, deploy/systemd/aduan-backup.service) DIR holds dated backups:
each run writes a new `aduan-YYYYMMDDTHHMMSSZ` subdirectory, then removes the oldest beyond N."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.ops.backup import BackupError, backup_create, backup_rotate


class Command(BaseCommand):
    help = "Cadangkan basis data, lampiran dan kunci instalasi ke direktori baru (dengan manifest checksum)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            help="direktori tujuan (baru atau kosong); dengan --keep: direktori induk cadangan bertanggal",
        )
        parser.add_argument(
            "--keep",
            type=int,
            help="tulis subdirektori bertanggal aduan-YYYYMMDDTHHMMSSZ, lalu hapus yang tertua "
            "sehingga tersisa sebanyak ini",
        )

    def handle(self, *args: Any, output: str, keep: int | None, **options: Any) -> None:
        target = Path(output).expanduser().resolve()
        try:
            if keep is None:
                manifest = backup_create(out=target)
                written = target
                removed: list[Path] = []
            else:
                rotated = backup_rotate(parent=target, keep=keep)
                manifest, written, removed = rotated.manifest, rotated.path, rotated.removed
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = sum(meta["size"] for meta in manifest["files"].values())
        self.stdout.write(
            f"Cadangan {manifest['engine']} di {written}: {len(manifest['files'])} berkas, {size / 1e6:.1f} MB."
        )
        for old in removed:
            self.stdout.write(f"Dihapus (retensi): {old}")
