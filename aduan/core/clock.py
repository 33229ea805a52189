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
