"""The loop shared by the channel pollers (`aduan email-poll`, `aduan sms-gammu-poll`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aduan.channels import conf
from aduan.channels.maintenance import prune_replies


class PollUnavailable(Exception):
    """The source can't be reached this time: retried after the interval, fatal with --once."""


class PollCommand(BaseCommand):
    requires_system_checks: list[str] = []  # a poller needs the database, not the URL map

    def poll(self, verbose: bool) -> str:
        """Poll the source once; the line to print ('' when there is nothing worth saying)."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="poll once and exit (for cron/systemd timers)"
        )
        parser.add_argument("--interval", type=int, default=None, help="seconds between polls (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or conf.poll_interval()
        while True:
            try:
                line = self.poll(options["verbosity"] > 1)
            except PollUnavailable as exc:
                if options["once"]:
                    raise CommandError(str(exc)) from exc
                self.stderr.write(f"{exc}; retrying in {interval}s")
                time.sleep(interval)
                continue
            prune_replies()
            if line:
                self.stdout.write(line)
            if options["once"]:
                return
            time.sleep(interval)
