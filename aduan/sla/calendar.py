"""Working days (*hari kerja*): weekends, national holidays, *cuti bersama*, and admin corrections."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar, cast

import holidays
from django.utils import timezone

from aduan.core.clock import local_date

T = TypeVar("T")

# Limits in working days (DOMAIN.md §4); StepLimit rows override them per installation.
DEFAULT_LIMITS: dict[str, int] = {
    "verification": 3,
    "returned": 1,
    "clarification": 10,
    "follow_up:aspirasi": 5,
    "follow_up:permintaan_informasi": 5,
    "follow_up:pengaduan_tidak_berkadar_pengawasan": 14,
    "follow_up:pengaduan_berkadar_pengawasan": 60,
    "reply_window": 10,
    "reopen_window": 10,
    # After a breach, the coordinator is told at once (level 1); the head of the OPD this many
    # working days later (level 2).
    "escalation_head": 2,
}


@lru_cache(maxsize=64)
def _national(year: int) -> dict[dt.date, str]:
    # "government" is the cuti bersama category: collective leave counts as a day off for agencies.
    return dict(
        holidays.country_holidays("ID", categories=("public", "government"), language="id", years=year)
    )


class WorkingCalendar:
    """A calendar loaded once per use with the admin's corrections (rows of sla.CalendarDay)."""

    def __init__(
        self, overrides: dict[dt.date, bool] | None = None, names: dict[dt.date, str] | None = None
    ) -> None:
        self.overrides = overrides or {}
        self.names = names or {}

    @classmethod
    def load(cls) -> WorkingCalendar:
        """The calendar with the admin's corrections; read at most once a minute per process."""
        from aduan.sla.models import CalendarDay

        def read() -> WorkingCalendar:
            rows = list(CalendarDay.objects.all())
            return cls({d.date: d.is_working_day for d in rows}, {d.date: d.name for d in rows})

        return _cached("calendar", read)

    def holiday_name(self, day: dt.date) -> str | None:
        """Why `day` is not worked (the admin's correction first), or None for an ordinary day."""
        if day in self.overrides:
            return None if self.overrides[day] else self.names.get(day) or "Libur"
        return _national(day.year).get(day)

    def non_working_days(self, year: int) -> list[tuple[dt.date, str]]:
        """Every weekday of `year` that is not worked, and weekend days an admin named, with why."""
        day, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        result = []
        while day <= end:
            if not self.is_working_day(day):
                name = self.holiday_name(day)
                if name or day.weekday() < 5:
                    result.append((day, name or "Libur"))
            day += dt.timedelta(days=1)
        return result

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5 and day not in _national(day.year)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (the day of arrival itself does not count)."""
        day = start
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def due_at(self, start: dt.datetime, n: int) -> dt.datetime:
        """End (23:59:59 local time) of the n-th working day after the moment `start`."""
        return _end_of(self.add_working_days(local_date(start), n))

    def fraction_point(self, start: dt.datetime, due: dt.datetime, fraction: float) -> dt.datetime:
        """The moment `fraction` of a step's working days (start → due) has gone by.

        Counted in working days, not hours, so a step spanning Lebaran is not "80 % gone" while
        every office is closed: the end of the floor(fraction × n)-th working day after the start.
        For a 3-day step that is the start of its last day; for 14 days the end of the 11th.
        """
        total = self.working_days_between(local_date(start), local_date(due))
        elapsed = int(total * fraction)
        if elapsed <= 0:
            return _end_of(local_date(start))
        return self.due_at(start, elapsed)


def _end_of(day: dt.date) -> dt.datetime:
    """23:59:59 of `day` in the installation's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)), timezone.get_default_timezone())


def limit(key: str) -> int:
    """The limit in working days for a step, from the installation's StepLimit or the default."""
    from aduan.sla.models import StepLimit

    rows: dict[str, int] = _cached(
        "limits", lambda: dict(StepLimit.objects.values_list("key", "working_days"))
    )
    return rows[key] if key in rows else DEFAULT_LIMITS[key]


# Calendar corrections and limits are read on every lifecycle action but change a few times a
# year: keep them per process for a minute. A save or delete in this process clears them at once
# (signals in apps.py); other processes see an admin's change within CACHE_SECONDS.
CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, Any]] = {}


def _cached(key: str, read: Callable[[], T]) -> T:
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return cast(T, hit[1])
    value = read()
    _cache[key] = (now, value)
    return value


def clear_caches(**_: Any) -> None:
    _cache.clear()


def follow_up_limit(classification: str) -> int:
    return limit(
        f"follow_up:{classification}" if classification else "follow_up:pengaduan_tidak_berkadar_pengawasan"
    )
