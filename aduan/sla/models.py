"""Working-day calendar data and per-step limits, editable by an admin."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A correction to the national calendar: a regional holiday, or a day that is (not) worked.

    National holidays and *cuti bersama* come from the `holidays` package; a row here overrides
    that source for its date (a decree or the sidang isbat can move a holiday).
    """

    date = models.DateField(unique=True)
    name = models.CharField(_("keterangan"), max_length=120)
    is_working_day = models.BooleanField(_("hari kerja"), default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("koreksi kalender")
        verbose_name_plural = _("koreksi kalender")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class StepLimit(models.Model):
    """An installation's own limit, in working days, for one step (defaults: DOMAIN.md §4)."""

    key = models.CharField(max_length=60, unique=True)
    working_days = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("batas waktu")
        verbose_name_plural = _("batas waktu")

    def __str__(self) -> str:
        return f"{self.key}: {self.working_days} hari kerja"
