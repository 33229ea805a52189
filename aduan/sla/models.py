"""Working-day calendar data, per-step limits and the sweep schedule, editable by an admin."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A correction to the national calendar: a regional holiday, or a day that is (not) worked.

    National holidays and *cuti bersama* come from the `holidays` package; a row here overrides
    that source for its date (a decree or the sidang isbat can move a holiday).
    """

    date = models.DateField(_("tanggal"), unique=True)
    name = models.CharField(
        _("keterangan"),
        max_length=120,
        help_text=_("Mis. Hari Jadi Kabupaten Ponorogo, atau dasar keputusannya"),
    )
    is_working_day = models.BooleanField(
        _("hari kerja"),
        default=False,
        help_text=_("Centang bila tanggal ini tetap hari kerja (mis. libur nasional yang dipindahkan)."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("koreksi kalender")
        verbose_name_plural = _("koreksi kalender")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class StepLimit(models.Model):
    """An installation's own limit, in working days, for one step (defaults: DOMAIN.md §4)."""

    class Key(models.TextChoices):
        VERIFICATION = "verification", _("Verifikasi dan disposisi")
        RETURNED = "returned", _("Disposisi ulang setelah dikembalikan OPD")
        CLARIFICATION = "clarification", _("Batas waktu klarifikasi pelapor")
        FOLLOW_UP_ASPIRASI = "follow_up:aspirasi", _("Tindak lanjut: aspirasi")
        FOLLOW_UP_INFO = "follow_up:permintaan_informasi", _("Tindak lanjut: permintaan informasi")
        FOLLOW_UP_TIDAK_BERKADAR = (
            "follow_up:pengaduan_tidak_berkadar_pengawasan",
            _("Tindak lanjut: pengaduan tidak berkadar pengawasan"),
        )
        FOLLOW_UP_BERKADAR = (
            "follow_up:pengaduan_berkadar_pengawasan",
            _("Tindak lanjut: pengaduan berkadar pengawasan"),
        )
        REPLY_WINDOW = "reply_window", _("Tanggapan pelapor sebelum ditutup otomatis")
        REOPEN_WINDOW = "reopen_window", _("Membuka kembali setelah selesai")
        ESCALATION_HEAD = "escalation_head", _("Eskalasi ke kepala OPD (setelah batas waktu terlewati)")

    key = models.CharField(_("tahap"), max_length=60, unique=True, choices=Key.choices)
    working_days = models.PositiveSmallIntegerField(_("hari kerja"))

    class Meta:
        verbose_name = _("batas waktu")
        verbose_name_plural = _("batas waktu")

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.working_days} hari kerja"


class SweepSchedule(models.Model):
    """One row per periodic job: the row lock makes several workers enqueue it once per interval."""

    name = models.CharField(max_length=40, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("jadwal tugas berkala")
        verbose_name_plural = _("jadwal tugas berkala")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def locked(cls, name: str) -> SweepSchedule:
        """The job's row (made on first use), locked until the caller's transaction ends: call it
        inside transaction.atomic(). The lock serialises the check-then-act of concurrent workers
        (PostgreSQL; SQLite transactions here are IMMEDIATE, so writers are serialised anyway)."""
        cls.objects.get_or_create(name=name)
        return cls.objects.select_for_update().get(name=name)

    def is_due(self, every: dt.timedelta, now: dt.datetime) -> bool:
        """Never run, or last run at least `every` before `now`."""
        return self.last_enqueued_at is None or self.last_enqueued_at + every <= now


class WorkerHeartbeat(models.Model):
    """A running `aduan worker` as last seen. A task left RUNNING by a worker not seen for the
    lease (ADUAN_TASK_LEASE_SECONDS) is taken up again: its worker died (kill -9, a crash, a
    lost machine) and django-tasks-db would otherwise leave it RUNNING for ever."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("pekerja latar")
        verbose_name_plural = _("pekerja latar")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.seen_at:%Y-%m-%d %H:%M:%S})"
