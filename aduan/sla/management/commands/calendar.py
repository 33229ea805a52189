"""`aduan calendar --year 2026`: the non-working days the deadlines will skip, for the operator to check."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from aduan.core.clock import local_today
from aduan.sla.calendar import WorkingCalendar

DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


class Command(BaseCommand):
    help = "Daftar hari libur (libur nasional, cuti bersama, koreksi admin) yang tidak dihitung sebagai hari kerja."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="Tahun (bawaan: tahun ini)")

    def handle(self, *args: Any, year: int | None, **options: Any) -> None:
        year = year or local_today().year
        calendar = WorkingCalendar.load()
        corrected = set(calendar.overrides)
        rows = calendar.non_working_days(year)
        for day, name in rows:
            mark = " [koreksi admin]" if day in corrected else ""
            self.stdout.write(f"{day.isoformat()}  {DAYS[day.weekday()]:<6}  {name}{mark}")
        worked = sorted(d for d, is_working in calendar.overrides.items() if is_working and d.year == year)
        for day in worked:
            name = calendar.names.get(day, "")
            self.stdout.write(
                f"{day.isoformat()}  {DAYS[day.weekday()]:<6}  tetap hari kerja: {name} [koreksi admin]"
            )
        weekdays_off = sum(1 for day, _ in rows if day.weekday() < 5)
        self.stdout.write(
            f"Tahun {year}: {weekdays_off} hari libur jatuh pada Senin–Jumat (Sabtu/Minggu selalu libur)."
        )
