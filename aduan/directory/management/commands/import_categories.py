from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aduan.directory.models import Category
from aduan.directory.services import NATIONAL_CATEGORIES, categories_import


class Command(BaseCommand):
    help = "Import the national SP4N-LAPOR! category tree (topic → sub-topics) from JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=NATIONAL_CATEGORIES, help="JSON: {topic: [sub-topic, …]}"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created = categories_import(options["file"])
        total = Category.objects.count()
        tops = Category.objects.filter(parent__isnull=True).count()
        self.stdout.write(f"{created} kategori baru; {total} kategori ({tops} topik utama)")
