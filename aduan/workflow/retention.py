"""Retention under UU 27/2022: personal data is kept while it serves the complaint, then erased.

A configurable period (ADUAN_RETENTION_YEARS, default 5) after a report is closed — completed
(`selesai`) or archived (`diarsipkan`) — `retention_apply` (the `aduan retention apply` command and
a daily pass of the worker's sweep) erases what points at the reporter (aduan.intake.erasure) and
records each erasure as a new event of the report's audit chain: the events never held the
personal data, so the chain stays valid, and the statistics, which count reports by what they were
about and how they were handled, stay exactly as they were.

A duplicate waits for its original: its reporter follows the original (DOMAIN.md §3) and is told of
its progress until that one is past retention too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from aduan.accounts.models import User
from aduan.core import clock
from aduan.core.actors import SYSTEM, Actor
from aduan.core.roles import Role
from aduan.intake.erasure import ERASED_FIELDS, report_personal_data_erase, reporters_forget
from aduan.intake.models import Report, Reporter, Status
from aduan.workflow import audit
from aduan.workflow.models import ReportEvent

# The audit event of an erasure (not a transition: the report's state does not change).
ERASE = "erase_personal_data"


def retention_cutoff(now: dt.datetime) -> dt.datetime:
    """Reports closed before this moment are past retention."""
    years = settings.ADUAN_RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _closed_before(cutoff: dt.datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Status.SELESAI, f"{prefix}completed_at__lt": cutoff}) | Q(
        **{f"{prefix}status": Status.DIARSIPKAN, f"{prefix}archived_at__lt": cutoff}
    )


def reports_past_retention(now: dt.datetime) -> QuerySet[Report]:
    """Reports closed longer than the retention period whose personal data is still there."""
    cutoff = retention_cutoff(now)
    return Report.objects.filter(
        _closed_before(cutoff),
        Q(duplicate_of__isnull=True) | _closed_before(cutoff, "duplicate_of__"),
        personal_data_erased_at__isnull=True,
    )


def erasure_record(
    *, report: Report, actor: Actor, reason: str, erased: list[str], now: dt.datetime, fields: list[str]
) -> ReportEvent:
    """Write the audit event of an erasure as the next link of the report's chain (report locked by
    the caller) and save the report's `fields` with the chain's head."""
    return audit.record_audit_only(
        report=report,
        actor=actor,
        action=ERASE,
        data={"reason": reason, "erased": erased},
        now=now,
        fields=fields,
    )


def reporter_erase_on_request(*, account: User, now: dt.datetime) -> int:
    """Blank the reporter rows linked to a citizen's account (locked by the caller, in its
    transaction) and record the erasure on each of their reports; returns how many rows."""
    # The reports' rows too: each erasure is the next event of the report's audit chain.
    reports = list(
        Report.objects.select_for_update(of=("self",)).filter(reporter__user=account).order_by("pk")
    )
    blanked = Reporter.objects.filter(user=account).update(name="", phone="", email="", nik="")
    # The same person's address also sits on messages sent about, and received for, their reports.
    reporters_forget(report_ids=[report.pk for report in reports])
    for report in reports:
        erasure_record(
            report=report,
            actor=Actor(role=Role.CITIZEN, user=account),
            reason="request",
            erased=["reporter"],
            now=now,
            fields=[],
        )
    return blanked


@dataclass
class RetentionResult:
    cutoff: dt.datetime
    tracking_numbers: list[str] = field(default_factory=list)


def retention_apply(*, dry_run: bool = False, now: dt.datetime | None = None) -> RetentionResult:
    """Erase the personal data of every report past retention (or, dry, only name them).

    Each report in its own transaction, claimed with SKIP LOCKED and checked again under the lock,
    like the sweeps: safe with several workers and with a coordinator acting at the same moment."""
    now = now or clock.now()
    result = RetentionResult(cutoff=retention_cutoff(now))
    candidates = list(reports_past_retention(now).order_by("pk").values_list("pk", "tracking_number"))
    if dry_run:
        result.tracking_numbers = [number for _, number in candidates]
        return result
    for report_id, number in candidates:
        with transaction.atomic():
            report = (
                reports_past_retention(now)
                .select_for_update(skip_locked=True, of=("self",))
                .filter(pk=report_id)
                .first()
            )
            if report is None:
                continue
            erased = report_personal_data_erase(report)
            report.personal_data_erased_at = now
            erasure_record(
                report=report,
                actor=SYSTEM,
                reason="retention",
                erased=erased,
                now=now,
                fields=[*ERASED_FIELDS, "personal_data_erased_at"],
            )
        result.tracking_numbers.append(number)
    return result
