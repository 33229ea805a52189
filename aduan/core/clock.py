"""The one clock: every module asks here for the time, so tests and scenarios can move it.

`travel(moment)` makes `now()` start at `moment` and run on from there in this thread: the
ponorogo-2022 scenario uses it to drive real workflow services with 2022 dates.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_state = threading.local()


def now() -> dt.datetime:
    """Aware UTC datetime of this instant (or of the travelled-to instant)."""
    target = getattr(_state, "target", None)
    if target is None:
        return timezone.now()
    return target + dt.timedelta(seconds=time.monotonic() - _state.started)


@contextmanager
def travel(moment: dt.datetime) -> Iterator[None]:
    if timezone.is_naive(moment):
        raise ValueError("travel() needs an aware datetime")
    previous = getattr(_state, "target", None), getattr(_state, "started", None)
    _state.target, _state.started = moment.astimezone(dt.UTC), time.monotonic()
    try:
        yield
    finally:
        _state.target, _state.started = previous


def local_today() -> dt.date:
    """Today's date in the installation's time zone (WIB by default)."""
    return local_date(now())


def local_date(moment: dt.datetime) -> dt.date:
    """The date of `moment` in the installation's time zone (settings.TIME_ZONE), whatever zone
    a request may have activated (Aduan activates none)."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def parse_instant(value: str, *, naive_is_local: bool = False) -> dt.datetime | None:
    """An ISO 8601 date-time from a query parameter as an aware UTC datetime, or None when it is
    not one: malformed, impossible (2026-02-30, month 13, hour 25), or outside what a datetime
    holds once in UTC (0001-01-01T00:00:00+12:00). Without a zone it is None, unless
    `naive_is_local` (then the installation's zone)."""
    from django.utils.dateparse import parse_datetime

    try:
        parsed = parse_datetime(value)
        if parsed is None:
            return None
        if timezone.is_naive(parsed):
            if not naive_is_local:
                return None
            parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
