"""The working-day calendar against real dates (Lebaran 2023) and the admin's corrections."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from aduan.core import clock
from aduan.intake.models import Step
from aduan.sla.calendar import WorkingCalendar, limit
from aduan.sla.models import CalendarDay, StepLimit
from tests.factories import submit

WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db


def test_lebaran_2023_three_working_days_from_tuesday_18_april_is_friday_28_april() -> None:
    calendar = WorkingCalendar.load()
    # Idul Fitri 22–23 April and cuti bersama 19–21, 24–25 April 2023 are not worked.
    for day in (19, 20, 21, 24, 25):
        assert not calendar.is_working_day(dt.date(2023, 4, day)), day
    assert calendar.add_working_days(dt.date(2023, 4, 18), 3) == dt.date(2023, 4, 28)


def test_report_arriving_18_april_2023_is_due_end_of_28_april_local_time() -> None:
    with clock.travel(dt.datetime(2023, 4, 18, 10, 30, tzinfo=WIB)):
        report = submit().report
    report.refresh_from_db()
    assert report.step == Step.VERIFICATION
    assert report.due_at is not None
    due_local = report.due_at.astimezone(WIB)
    assert due_local.date() == dt.date(2023, 4, 28)
    assert (due_local.hour, due_local.minute) == (23, 59)


def test_a_regional_holiday_entered_by_the_admin_moves_the_deadline() -> None:
    CalendarDay.objects.create(date=dt.date(2023, 4, 26), name="Libur daerah (uji)", is_working_day=False)
    calendar = WorkingCalendar.load()
    # 26 April off, 27 and 28 April, then 1 May is Hari Buruh: the third working day is 2 May.
    assert calendar.add_working_days(dt.date(2023, 4, 18), 3) == dt.date(2023, 5, 2)
    assert calendar.holiday_name(dt.date(2023, 4, 26)) == "Libur daerah (uji)"


def test_a_national_holiday_moved_by_decree_becomes_a_working_day() -> None:
    CalendarDay.objects.create(
        date=dt.date(2023, 4, 25), name="Cuti bersama dibatalkan (uji)", is_working_day=True
    )
    calendar = WorkingCalendar.load()
    assert calendar.is_working_day(dt.date(2023, 4, 25))
    assert calendar.holiday_name(dt.date(2023, 4, 25)) is None
    assert calendar.add_working_days(dt.date(2023, 4, 18), 3) == dt.date(2023, 4, 27)


def test_installation_limits_override_the_defaults() -> None:
    assert limit("verification") == 3
    StepLimit.objects.create(key="verification", working_days=5)
    assert limit("verification") == 5


def test_eighty_percent_point_counts_working_days() -> None:
    calendar = WorkingCalendar.load()
    start = dt.datetime(2023, 10, 2, 9, 0, tzinfo=WIB)  # Monday, no holidays until 20 October
    due = calendar.due_at(start, 14)
    assert due.astimezone(WIB).date() == dt.date(2023, 10, 20)
    point = calendar.fraction_point(start, due, 0.8)
    # floor(0.8 × 14) = 11 working days: the end of Tuesday 17 October.
    assert point.astimezone(WIB).date() == dt.date(2023, 10, 17)


def test_calendar_command_lists_holidays_and_corrections() -> None:
    CalendarDay.objects.create(date=dt.date(2023, 10, 20), name="Hari Jadi (uji)")
    out = StringIO()
    call_command("calendar", "--year", "2023", stdout=out)
    text = out.getvalue()
    assert "2023-04-19" in text and "Cuti Bersama Hari Raya Idul Fitri" in text
    assert "2023-10-20" in text and "Hari Jadi (uji) [koreksi admin]" in text
    assert "2023-04-18" not in text  # an ordinary Tuesday
