"""`aduan scenario ponorogo-2022`: load a scenario (the same as `aduan demo --scenario NAME`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.evaluation.scenarios import PONOROGO_2022, SCENARIOS, load_ponorogo_2022


class Command(BaseCommand):
    help = "Load a demo scenario through the real services (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(SCENARIOS))
        parser.add_argument(
            "--password",
            help="password for the staff users the scenario creates (default: they cannot sign in)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["name"] != PONOROGO_2022:
            raise CommandError(f"unknown scenario {options['name']}")
        reports = load_ponorogo_2022(password=options.get("password"))
        self.stdout.write(f"{options['name']}: {len(reports)} laporan")
