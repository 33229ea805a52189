"""The deadline markers of a report (reminder sent, escalation level) and the calendar corrections.

No state changes, but still audited: both go through the lifecycle service as the system's
`remind` and `escalate` actions (non-public events), so the coordinator sees when a report was
reminded and escalated.
"""

from __future__ import annotations

import datetime as dt

from aduan.core.actors import SYSTEM
from aduan.core.text import normalize_text
from aduan.intake.models import Report
from aduan.sla.models import CalendarDay
from aduan.workflow.services import report_act


def report_mark_reminded(*, report: Report, at: dt.datetime) -> None:
    """Record that the reminder of the report's current step went out (call with the row locked)."""
    report_act(actor=SYSTEM, report_id=report.pk, action="remind")
    report.reminder_sent_at = at


def report_mark_escalated(*, report: Report, level: int) -> None:
    """Raise the escalation level of the report's current step (call with the row locked)."""
    if level <= report.escalation_level:
        return
    report_act(actor=SYSTEM, report_id=report.pk, action="escalate", params={"level": level})
    report.escalation_level = level


def calendar_day_set(*, date: dt.date, name: str, is_working_day: bool) -> CalendarDay:
    """Add or change the correction of one date (a regional holiday, a moved national holiday)."""
    # Through the one door for entering text (name_required when blank); runs of spaces inside
    # collapsed as before, and a long note cut at the column's length rather than refused.
    name = " ".join(normalize_text(name, field="name", label="Keterangan", required=True).split())
    day, _created = CalendarDay.objects.update_or_create(
        date=date, defaults={"name": name[:120], "is_working_day": is_working_day}
    )
    return day


def calendar_day_delete(*, date: dt.date) -> bool:
    """Remove the correction of one date (the national calendar applies again)."""
    deleted, _rows = CalendarDay.objects.filter(date=date).delete()
    return bool(deleted)
