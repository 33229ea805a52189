"""aduan sms-gammu-poll [--once]: Gammu SMSD inbox → reports; replies → Gammu outbox."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.channels import conf, gammu
from aduan.channels.maintenance import prune_replies


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a poller needs the database, not the URL map
    help = "Read new SMS from Gammu SMSD's inbox table, create reports, queue replies in its outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="poll once and exit (for cron/systemd timers)"
        )
        parser.add_argument("--interval", type=int, default=None, help="seconds between polls (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or conf.poll_interval()
        while True:
            try:
                db = gammu.connect()
            except gammu.GammuError as exc:
                raise CommandError(str(exc)) from exc
            except Exception as exc:
                if options["once"]:
                    raise CommandError(f"Gammu database unavailable: {exc}") from exc
                self.stderr.write(f"Gammu database unavailable: {exc}; retrying in {interval}s")
                time.sleep(interval)
                continue
            try:
                stats = gammu.poll_once(db)
            finally:
                db.close()
            prune_replies()
            if stats.rows or stats.waiting or options["verbosity"] > 1:
                self.stdout.write(
                    f"gammu: {stats.messages} messages ({stats.rows} inbox rows), {stats.replies} replies queued, "
                    f"{stats.waiting} multipart waiting, {stats.skipped} skipped"
                )
            if options["once"]:
                return
            time.sleep(interval)
