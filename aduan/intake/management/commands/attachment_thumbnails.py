"""`aduan attachment_thumbnails`: thumbnails for photos stored before thumbnails existed (run once after upgrading)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from aduan.intake.uploads import thumbnails_backfill


class Command(BaseCommand):
    help = "Buat gambar kecil untuk foto lampiran yang disimpan sebelum gambar kecil ada."

    def handle(self, *args: Any, **options: Any) -> None:
        made, skipped = thumbnails_backfill()
        self.stdout.write(f"{made} gambar kecil dibuat, {skipped} dilewati.")
