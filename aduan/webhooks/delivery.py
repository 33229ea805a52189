"""POSTing webhook deliveries: claim (aduan.core.outbox), send outside any transaction, record.

A receiver that is slow or down must not hold up anyone else: each attempt has a bounded timeout
(ADUAN_WEBHOOK_TIMEOUT_SECONDS); the claimed batch is sent by a few threads, one subscription per
thread at a time; and once a receiver fails to answer in a pass, its other deliveries of that
pass are put back untried (no attempt counted) for the same backoff. The notification outbox has
its own thread in `aduan worker`, so webhooks never delay an SMS.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import socket
import ssl
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import transaction

from aduan.core import clock, signing
from aduan.core.errors import InvalidInput
from aduan.core.outbox import claim_due, retry_at
from aduan.webhooks import conf
from aduan.webhooks.models import WebhookDelivery, WebhookSubscription
from aduan.webhooks.targets import Target, target_check

logger = logging.getLogger(__name__)
State = WebhookDelivery.State
CLAIM_BATCH = 20
USER_AGENT = "Aduan-Webhook/1"
# Answers that say "later", not "never": retried. Every other 4xx is the receiver refusing this
# message for good (failed at once; an administrator can send it again after fixing the receiver).
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
# One attempt, from connecting to the status line, takes at most this many timeouts.
DEADLINE_FACTOR = 2


@dataclass
class Outcome:
    state: str
    status_code: int | None = None
    error: str = ""
    # The receiver did not answer at all (connection refused, timeout): skip its other deliveries.
    unreachable: bool = False


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address target_check resolved, whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _cut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def post_signed(*, url: str, body: bytes, message_id: str) -> Outcome:
    """One signed POST of `body` to `url` (checked again: the rules or DNS may have changed)."""
    try:
        target = target_check(url)
    except InvalidInput as exc:
        return Outcome(State.FAILED, error=f"{exc.code}: {exc.message}")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        **signing.message_sign(body=body, message_id=message_id),
    }
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout=conf.TIMEOUT_SECONDS)
    # The socket timeout bounds each wait, not the whole answer: a receiver that trickles a byte
    # now and then would hold the thread for ever. The deadline cuts the connection.
    deadline = threading.Timer(conf.TIMEOUT_SECONDS * DEADLINE_FACTOR, _cut, args=(connection,))
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        # Only the status matters; a bounded read keeps a chatty receiver from holding the thread.
        response.read(4096)
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(State.PENDING, error=f"{exc.__class__.__name__}: {exc}"[:1000], unreachable=True)
    finally:
        deadline.cancel()
        connection.close()
    if 200 <= status < 300:
        return Outcome(State.SENT, status_code=status)
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        return Outcome(State.FAILED, status_code=status, error=f"HTTP {status}")
    return Outcome(State.PENDING, status_code=status, error=f"HTTP {status}")


def _apply(delivery: WebhookDelivery, outcome: Outcome, now: dt.datetime) -> None:
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.state == State.SENT:
        delivery.state = State.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
    elif outcome.state == State.FAILED or delivery.attempts >= conf.MAX_ATTEMPTS:
        delivery.state = State.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = retry_at(
            now=now, attempts=delivery.attempts, base_seconds=conf.RETRY_BASE_SECONDS
        )
    if outcome.state != State.SENT:
        logger.warning(
            "webhook delivery %s to subscription %s failed (attempt %s): %s",
            delivery.message_id,
            delivery.subscription_id,
            delivery.attempts,
            outcome.error,
        )


def _send_for_subscription(
    deliveries: list[WebhookDelivery],
) -> tuple[list[tuple[WebhookDelivery, Outcome]], list[WebhookDelivery]]:
    """Send one subscription's claimed deliveries in order (in a pool thread: no database, no
    clock.now(), whose travel is per thread), stopping at a receiver that does not answer: the
    outcomes, and the deliveries not tried (put back without counting an attempt)."""
    outcomes: list[tuple[WebhookDelivery, Outcome]] = []
    for index, delivery in enumerate(deliveries):
        outcome = post_signed(
            url=delivery.subscription.url,
            body=delivery.body.encode("utf-8"),
            message_id=str(delivery.message_id),
        )
        outcomes.append((delivery, outcome))
        if outcome.unreachable:
            return outcomes, deliveries[index + 1 :]
    return outcomes, []


_OUTCOME = ["state", "attempts", "next_attempt_at", "last_status_code", "last_error", "sent_at"]


def deliver_due(*, limit: int | None = 200) -> dict[str, int]:
    """Send up to `limit` due deliveries (every one with None; a failing one waits for its retry
    time, so this ends); safe in several workers at once."""
    counts = {"sent": 0, "failed": 0, "retry": 0}
    done = 0
    while limit is None or done < limit:
        batch = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - done)
        claimed = claim_due(WebhookDelivery, now=clock.now(), limit=batch, lease_seconds=conf.CLAIM_SECONDS)
        if not claimed:
            break
        by_subscription: dict[int, list[WebhookDelivery]] = defaultdict(list)
        subscriptions = WebhookSubscription.objects.in_bulk({d.subscription_id for d in claimed})
        for delivery in claimed:
            delivery.subscription = subscriptions[delivery.subscription_id]
            by_subscription[delivery.subscription_id].append(delivery)
        groups = list(by_subscription.values())
        # Load (or create) the key here, not first in the pool's threads: core.signing creates a
        # missing key file without a lock, and a second thread could read it half written.
        signing.instance_private_key()
        with ThreadPoolExecutor(max_workers=min(conf.THREADS, len(groups))) as pool:
            results = list(pool.map(_send_for_subscription, groups))
        now = clock.now()
        for outcomes, _rest in results:
            for delivery, outcome in outcomes:
                _apply(delivery, outcome, now)
        untried = [d for _outcomes, rest in results for d in rest]
        skipped = {d.pk for d in untried}
        for delivery in untried:
            delivery.attempts -= 1  # claimed but not tried
            delivery.next_attempt_at = retry_at(
                now=now, attempts=max(1, delivery.attempts), base_seconds=conf.RETRY_BASE_SECONDS
            )
        with transaction.atomic():
            for delivery in claimed:
                WebhookDelivery.objects.filter(pk=delivery.pk).update(
                    **{field: getattr(delivery, field) for field in _OUTCOME}
                )
        for delivery in claimed:
            if delivery.pk in skipped or delivery.state == State.PENDING:
                counts["retry"] += 1
            else:
                counts["sent" if delivery.state == State.SENT else "failed"] += 1
        done += len(claimed)
    return counts


def deliver_all() -> dict[str, int]:
    """Every delivery due now (`aduan worker --once`)."""
    return deliver_due(limit=None)
