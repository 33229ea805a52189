"""The one clock: every module asks here for the time, so tests can freeze it in one place."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """Aware UTC datetime of this instant."""
    return timezone.now()


def local_today() -> dt.date:
    """Today's date in the installation's time zone (WIB by default)."""
    return timezone.localdate(now())


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)
