"""What every outbox shares: claiming due rows with SKIP LOCKED under a lease, the retry backoff,
and the drainers `aduan worker` runs.

An outbox model has `state` (with a pending value), `attempts`, `next_attempt_at`: the
notification outbox (aduan.notifications) and the webhook deliveries (aduan.webhooks) claim and
back off through these functions, so both behave alike under several workers and crashes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F

M = TypeVar("M", bound=models.Model)


def claim_due(
    model: type[M], *, now: dt.datetime, limit: int, lease_seconds: int, pending: str = "pending"
) -> list[M]:
    """Take up to `limit` due rows for this worker (the oldest first): pending, due, and not
    locked by another worker, in one short transaction. Each claimed row counts an attempt and is
    leased: if the worker dies mid-send, the row is due again when the lease runs out."""
    with transaction.atomic():
        due = model._default_manager.select_for_update(skip_locked=True).filter(
            state=pending, next_attempt_at__lte=now
        )
        rows = list(due.order_by("next_attempt_at", "pk")[:limit])
        if not rows:
            return []
        lease = now + dt.timedelta(seconds=lease_seconds)
        model._default_manager.filter(pk__in=[row.pk for row in rows]).update(
            attempts=F("attempts") + 1, next_attempt_at=lease
        )
        for row in rows:
            row.attempts += 1  # type: ignore[attr-defined]
            row.next_attempt_at = lease  # type: ignore[attr-defined]
        return rows


def retry_at(
    *, now: dt.datetime, attempts: int, base_seconds: int, max_seconds: int | None = None
) -> dt.datetime:
    """When a row that failed its `attempts`-th attempt is tried again: the base, doubled after
    each failed attempt (60 s, 2 min, 4 min, ... with a base of 60), at most `max_seconds`."""
    seconds = base_seconds * 2 ** max(0, attempts - 1)
    return now + dt.timedelta(seconds=seconds if max_seconds is None else min(max_seconds, seconds))


@dataclass(frozen=True)
class Drainer:
    """One outbox `aduan worker` sends from: `drain(limit)` sends up to `limit` due rows and
    returns counts by outcome; `drain_all()` sends every due row (`aduan worker --once`). Each
    drainer gets its own thread in the worker, so one slow outbox never holds up another."""

    name: str
    drain: Callable[[int], dict[str, int]]
    drain_all: Callable[[], dict[str, int]]


# Registered by the apps that own an outbox (their AppConfig.ready()); the worker runs each.
drainers: dict[str, Drainer] = {}


def drainer_register(drainer: Drainer) -> None:
    drainers[drainer.name] = drainer


def counts_add(total: dict[str, int], more: dict[str, Any], *, prefix: str = "") -> dict[str, int]:
    for key, value in more.items():
        total[prefix + key] = total.get(prefix + key, 0) + int(value)
    return total
