"""aduan sms-gammu-poll [--once]: Gammu SMSD inbox → reports; replies → Gammu outbox."""

from __future__ import annotations

from django.core.management.base import CommandError

from aduan.channels import gammu
from aduan.channels.polling import PollCommand, PollUnavailable


class Command(PollCommand):
    help = "Read new SMS from Gammu SMSD's inbox table, create reports, queue replies in its outbox."

    def poll(self, verbose: bool) -> str:
        try:
            db = gammu.connect()
        except gammu.GammuError as exc:
            raise CommandError(str(exc)) from exc  # a configuration error: retrying won't help
        except Exception as exc:
            raise PollUnavailable(f"Gammu database unavailable: {exc}") from exc
        try:
            stats = gammu.poll_once(db)
        finally:
            db.close()
        if not (stats.rows or stats.waiting or verbose):
            return ""
        return (
            f"gammu: {stats.messages} messages ({stats.rows} inbox rows), {stats.replies} replies queued, "
            f"{stats.waiting} multipart waiting, {stats.skipped} skipped"
        )
