"""aduan email-poll [--once]: IMAP mailbox → reports on the email channel, answered by email."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.channels import conf, imap
from aduan.channels.maintenance import prune_replies


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a poller needs the database, not the URL map
    help = "Poll the IMAP mailbox (ADUAN_IMAP_*) and turn unseen messages into reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="poll once and exit (for cron/systemd timers)"
        )
        parser.add_argument("--interval", type=int, default=None, help="seconds between polls (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or conf.poll_interval()
        while True:
            try:
                stats = imap.poll_once()
            except imap.ImapError as exc:
                if options["once"]:
                    raise CommandError(str(exc)) from exc
                self.stderr.write(f"{exc}; retrying in {interval}s")
                time.sleep(interval)
                continue
            prune_replies()
            if stats.fetched or stats.failed or options["verbosity"] > 1:
                self.stdout.write(
                    f"imap: {stats.fetched} fetched, {stats.reports} reports, {stats.duplicates} duplicates, "
                    f"{stats.failed} failed"
                )
            if options["once"]:
                return
            time.sleep(interval)
