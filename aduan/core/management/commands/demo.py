from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.core.demo import DEMO_PASSWORD, demo_is_loaded, load_demo


class Command(BaseCommand):
    help = "Load the Kabupaten Ponorogo demo (directory, one user per role, sample reports), or a scenario."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scenario", help="a named scenario instead of the sample reports, e.g. ponorogo-2022"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the demo is already loaded"
        )
        parser.add_argument("--reports", type=int, default=36, help="how many sample reports (default 36)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scenario"]:
            try:
                from aduan.evaluation.scenarios import SCENARIOS
            except ImportError as exc:
                raise CommandError(f"scenarios are not available: {exc}") from exc
            name = options["scenario"]
            if name not in SCENARIOS:
                raise CommandError(f"unknown scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}")
            result = SCENARIOS[name]()
            self.stdout.write(self.style.SUCCESS(f"Skenario {name} dimuat. {result or ''}".strip()))
            return
        if options["if_empty"] and demo_is_loaded():
            self.stdout.write("Demo sudah dimuat; tidak ada yang diubah.")
            return
        users = load_demo(reports=options["reports"])
        self.stdout.write(self.style.SUCCESS("Demo Kabupaten Ponorogo dimuat."))
        self.stdout.write(f"Akun demo (kata sandi untuk semua: {DEMO_PASSWORD}):")
        for u in users:
            self.stdout.write(f"  {u.username:<24} {u.role.label}{' — ' + u.agency if u.agency else ''}")
        self.stdout.write("Masuk petugas: /konsol/masuk/  ·  Django admin: /django-admin/ (koordinator)")
