"""The deadline markers of a report: reminder sent, escalation level.

They are bookkeeping, not lifecycle: no state changes, so they do not go through report_act.
This module writes only `reminder_sent_at` and `escalation_level` (update_fields), nothing else
of the Report, and no ReportEvent (only report_act writes the audit trail).
"""

from __future__ import annotations

import datetime as dt

from aduan.intake.models import Report


def report_mark_reminded(*, report: Report, at: dt.datetime) -> None:
    """Record that the reminder of the report's current step went out (call with the row locked)."""
    report.reminder_sent_at = at
    report.save(update_fields=["reminder_sent_at"])


def report_mark_escalated(*, report: Report, level: int) -> None:
    """Raise the escalation level of the report's current step (call with the row locked)."""
    if level <= report.escalation_level:
        return
    report.escalation_level = level
    report.save(update_fields=["escalation_level"])
