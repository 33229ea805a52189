"""How a report stands against its deadline, for queues and report pages (read-only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.core import clock
from aduan.intake.models import COORDINATOR_STEPS, Report, Status
from aduan.notifications.texts import format_due

# Statuses whose deadline is the staff's to meet. In `ditunda` and `ditindaklanjuti` the clock is
# the citizen's (clarification, reply window): when it lapses the system archives or closes the
# report, so those are never counted as staff's overdue work (queue, filter, dashboard and
# metrics alike).
STAFF_CLOCK = (
    Status.BELUM_TERVERIFIKASI.value,
    Status.TERVERIFIKASI.value,
    Status.TERDISPOSISI.value,
    Status.DITANGGAPI_PELAPOR.value,
)


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Open on the staff's step and past its deadline now."""
    return Q(due_at__lt=now or clock.now(), status__in=STAFF_CLOCK)


@dataclass(frozen=True)
class DeadlineState:
    code: str  # none, on_time, reminded, overdue, escalated_coordinator, escalated_head
    label: str
    badge: str  # a CSS modifier of app.css's .badge
    due: str


def deadline_state(report: Report, now: dt.datetime | None = None) -> DeadlineState:
    """On time, reminded (80 % gone), overdue, or escalated (level 1: coordinator, 2: head of OPD, or of
    the coordinating agency for the coordinator's own steps)."""
    now = now or clock.now()
    due = format_due(report.due_at)
    if report.due_at is None:
        return DeadlineState("none", "", "", due)
    # The coordinator's own steps (verification, re-disposition of a report an OPD returned as
    # bukan kewenangan) escalate to the head of the coordinating agency, never to an OPD's head.
    coordinator_step = report.step in COORDINATOR_STEPS
    if report.escalation_level >= 2:
        label = (
            _("Terlambat: dieskalasi ke kepala instansi koordinator")
            if coordinator_step
            else _("Terlambat: dieskalasi ke kepala OPD")
        )
        return DeadlineState("escalated_head", str(label), "badge-overdue", due)
    if report.escalation_level == 1:
        label = (
            _("Terlambat: menunggu koordinator")
            if coordinator_step
            else _("Terlambat: dieskalasi ke koordinator")
        )
        return DeadlineState("escalated_coordinator", str(label), "badge-overdue", due)
    if report.due_at < now:
        return DeadlineState("overdue", str(_("Terlambat")), "badge-overdue", due)
    if report.reminder_sent_at is not None:
        return DeadlineState("reminded", str(_("Segera jatuh tempo")), "badge-returned", due)
    return DeadlineState("on_time", str(_("Tepat waktu")), "badge-open", due)
