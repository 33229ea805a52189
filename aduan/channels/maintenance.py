"""Housekeeping of stored channel messages."""

from __future__ import annotations

import datetime as dt

from aduan.channels.models import InboundMessage
from aduan.core import clock

# Replies are kept so a gateway's retry gets the same answer; retries come within minutes.
# After that the stored reply, which holds the report's access code in clear, is wiped.
REPLY_RETENTION = dt.timedelta(days=2)


def prune_replies() -> int:
    """Blank the stored replies older than the retention; returns how many were wiped."""
    cutoff = clock.now() - REPLY_RETENTION
    return InboundMessage.objects.filter(processed_at__lt=cutoff).exclude(reply="").update(reply="")
