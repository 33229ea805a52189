"""Working days (*hari kerja*): weekends, national holidays, *cuti bersama*, and admin corrections."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone

from aduan.core.clock import local_date

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
}


@lru_cache(maxsize=64)
def _national(year: int) -> dict[dt.date, str]:
    # "government" is the cuti bersama category: collective leave counts as a day off for agencies.
    return dict(holidays.country_holidays("ID", categories=("public", "government"), language="id", years=year))


class WorkingCalendar:
    """A calendar loaded once per use with the admin's corrections (rows of sla.CalendarDay)."""

    def __init__(self, overrides: dict[dt.date, bool] | None = None) -> None:
        self.overrides = overrides or {}

    @classmethod
    def load(cls) -> WorkingCalendar:
        from aduan.sla.models import CalendarDay

        return cls({d.date: d.is_working_day for d in CalendarDay.objects.all()})

    def holiday_name(self, day: dt.date) -> str | None:
        return _national(day.year).get(day)

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
        day = self.add_working_days(local_date(start), n)
        end = dt.datetime.combine(day, dt.time(23, 59, 59))
        return timezone.make_aware(end)


def limit(key: str) -> int:
    """The limit in working days for a step, from the installation's StepLimit or the default."""
    from aduan.sla.models import StepLimit

    row = StepLimit.objects.filter(key=key).values_list("working_days", flat=True).first()
    if row is not None:
        return row
    return DEFAULT_LIMITS[key]


def follow_up_limit(classification: str) -> int:
    return limit(f"follow_up:{classification}" if classification else "follow_up:pengaduan_tidak_berkadar_pengawasan")
