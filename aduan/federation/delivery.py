"""Sending the federation outbox: due messages, in order per report, outside any transaction."""

from __future__ import annotations

import datetime as dt
import json
import logging

from aduan.core import clock
from aduan.core.outbox import counts_add, retry_at
from aduan.federation import conf, transport
from aduan.federation.models import OutboxMessage
from aduan.federation.services import peers_sync_due

logger = logging.getLogger("aduan.federation")
# A claimed message not reported back within this many seconds (a crashed worker) is tried again.
CLAIM_SECONDS = 120
DELIVERED_CODES = {"duplicate_message"}  # the peer has it already: a lost answer, not a failure


def deliver_due(*, limit: int = 200) -> dict[str, int]:
    """One pass: sync stale peers' directories, then send each report's next due message."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "synced": peers_sync_due()}
    now = clock.now()
    pending = OutboxMessage.State.PENDING
    blocked = set(
        OutboxMessage.objects.filter(state=OutboxMessage.State.FAILED).values_list("link_id", flat=True)
    )
    seen: set[int] = set()
    rows = OutboxMessage.objects.filter(state=pending).select_related("peer").order_by("link_id", "seq")
    for message in rows[: limit * 5]:
        # Only the first unsent message of each report: the receiver applies them in order.
        if message.link_id in seen:
            continue
        seen.add(message.link_id)
        if message.link_id in blocked or message.next_attempt_at > now:
            continue
        claimed = OutboxMessage.objects.filter(
            pk=message.pk, state=pending, next_attempt_at=message.next_attempt_at
        ).update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
        if not claimed:
            continue  # another worker has it
        counts[_send(message)] += 1
        if counts["sent"] + counts["retry"] + counts["failed"] >= limit:
            break
    return counts


def _send(message: OutboxMessage) -> str:
    body = json.dumps(message.body, separators=(",", ":"), ensure_ascii=False).encode()
    error = ""
    try:
        answer = transport.message_post(message.peer, message_id=message.message_id, body=body)
        if 200 <= answer.status < 300 or answer.body.get("code") in DELIVERED_CODES:
            OutboxMessage.objects.filter(pk=message.pk).update(
                state=OutboxMessage.State.SENT, sent_at=clock.now(), last_error=""
            )
            return "sent"
        error = f"HTTP {answer.status} {answer.body.get('code', '')}".strip()
    except transport.TransportError as exc:
        error = str(exc)
    attempts = message.attempts + 1
    failed = attempts >= conf.MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=attempts,
        last_error=error[:2000],
        state=OutboxMessage.State.FAILED if failed else OutboxMessage.State.PENDING,
        next_attempt_at=retry_at(
            now=clock.now(), attempts=attempts, base_seconds=conf.RETRY_BASE_SECONDS, max_seconds=3600
        ),
    )
    logger.warning("federation message %s to %s: %s", message.message_id, message.peer_id, error)
    return "failed" if failed else "retry"


def deliver_all() -> dict[str, int]:
    """Send until nothing due is left (for `aduan worker --once`)."""
    total = {"sent": 0, "retry": 0, "failed": 0, "synced": 0}
    for _ in range(50):
        counts = deliver_due()
        counts_add(total, counts)
        if not counts["sent"]:
            break
    return total
