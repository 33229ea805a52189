from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.core.errors import DomainError
from aduan.directory.boundaries import boundaries_import, boundaries_parse


class Command(BaseCommand):
    help = (
        "Import desa/kecamatan polygons (GeoJSON FeatureCollection, WGS84) keyed by Kemendagri code "
        "(property kode/code); all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="GeoJSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Berkas {path} tidak dapat dibaca: {error.strerror}") from None
        try:
            result = boundaries_import(boundaries_parse(raw))
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Batas wilayah diimpor: {result.kecamatan} kecamatan, {result.desa} desa/kelurahan."
        )
