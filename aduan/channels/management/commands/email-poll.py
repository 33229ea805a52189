"""aduan email-poll [--once]: IMAP mailbox → reports on the email channel, answered by email."""

from __future__ import annotations

from aduan.channels import imap
from aduan.channels.polling import PollCommand, PollUnavailable


class Command(PollCommand):
    help = "Poll the IMAP mailbox (ADUAN_IMAP_*) and turn unseen messages into reports."

    def poll(self, verbose: bool) -> str:
        try:
            stats = imap.poll_once()
        except imap.ImapError as exc:
            raise PollUnavailable(str(exc)) from exc
        if not (stats.fetched or stats.failed or verbose):
            return ""
        return (
            f"imap: {stats.fetched} fetched, {stats.reports} reports, {stats.duplicates} duplicates, "
            f"{stats.failed} failed"
        )
