"""The facts a report contributes to the statistics, computed by one function for both paths.

A fact is a (dimension, key) pair such as ("channel", "web") or ("t_verify", "aspirasi|2")
(time to verification of an *aspirasi*: 2 working days). The evaluation counts facts over the
reports submitted in a period: from the raw tables (`raw_counter`) or from the pre-aggregated
`StatCount` rows that the refresh job writes with the very same facts (`aduan.evaluation.counts`).
Times are histograms of whole working days, so medians and percentiles come out exact.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from aduan.intake.models import OPEN_STATUSES, ClosedBy, Report, Status
from aduan.sla.calendar import DEFAULT_LIMITS, WorkingCalendar, limit
from aduan.workflow.models import AgencyReturn, Forwarding, Rating

Fact = tuple[str, str]
UNCLASSIFIED = "unclassified"

FIELDS = (
    "pk",
    "submitted_at",
    "channel",
    "kind",
    "classification",
    "category__code",
    "category__parent__code",
    "category__parent__parent__code",
    "kecamatan_id",
    "desa_id",
    "status",
    "verified_at",
    "first_disposed_at",
    "first_follow_up_at",
    "completed_at",
    "closed_by",
    "archive_reason",
    "duplicate_of_id",
    "lead_agency__code",
    "reopen_count",
    "last_rating",
    "forwarded_to",
)


class FactContext:
    """What computing facts needs once per run: the working calendar (cached) and the limits."""

    def __init__(self) -> None:
        self.calendar = WorkingCalendar.load()
        self.limits = {key: limit(key) for key in DEFAULT_LIMITS}
        self._days: dict[tuple[dt.date, dt.date], int] = {}
        self._tz = timezone.get_current_timezone()

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self._tz).date()

    def working_days(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working days from one moment to another, per WorkingCalendar.working_days_between."""
        pair = (self.local_date(start), self.local_date(end))
        days = self._days.get(pair)
        if days is None:
            days = self._days[pair] = self.calendar.working_days_between(*pair)
        return days

    def follow_up_limit(self, classification: str) -> int:
        return self.limits[f"follow_up:{classification or 'pengaduan_tidak_berkadar_pengawasan'}"]


def report_facts(row: dict[str, Any], returns: list[str], ctx: FactContext) -> list[Fact]:
    """Every fact of one report (a row of FIELDS) and the agencies that returned it."""
    status = row["status"]
    cls = row["classification"] or UNCLASSIFIED
    category = row["category__code"] or ""
    top = row["category__parent__parent__code"] or row["category__parent__code"] or category
    agency = row["lead_agency__code"] or ""
    submitted = row["submitted_at"]
    facts: list[Fact] = [
        ("total", ""),
        ("channel", row["channel"]),
        ("kind", row["kind"]),
        ("classification", cls),
        ("status", status),
        ("category", top),
        ("kecamatan", row["kecamatan_id"] or ""),
        ("month", ctx.local_date(submitted).strftime("%Y-%m")),
    ]
    if category and category != top:
        facts.append(("subcategory", category))
    if row["desa_id"]:
        facts.append(("desa", row["desa_id"]))
    if status in OPEN_STATUSES:
        facts.append(("outcome", "open"))
    if row["first_disposed_at"]:
        facts.append(("outcome", "disposed"))
        facts.append(("agency", agency))
        verify_in_time = ctx.working_days(submitted, row["first_disposed_at"]) <= ctx.limits["verification"]
        facts.append(("dl_verify", "in" if verify_in_time else "late"))
    if row["verified_at"]:
        facts.append(("t_verify", f"{cls}|{ctx.working_days(submitted, row['verified_at'])}"))
    followed_up = row["first_follow_up_at"]
    in_time: bool | None = None
    if followed_up:
        facts.append(("outcome", "followed_up"))
        facts.append(("t_follow_up", f"{cls}|{ctx.working_days(submitted, followed_up)}"))
        if row["first_disposed_at"]:
            in_time = ctx.working_days(row["first_disposed_at"], followed_up) <= ctx.follow_up_limit(
                row["classification"]
            )
            facts.append(("dl_follow_up", f"{cls}|{'in' if in_time else 'late'}"))
    completed = status == Status.SELESAI and row["completed_at"] is not None
    if completed:
        facts.append(("outcome", "completed"))
        facts.append(("t_completion", f"{cls}|{ctx.working_days(submitted, row['completed_at'])}"))
        facts.append(("closed_by", row["closed_by"] or ""))
        if row["closed_by"] == ClosedBy.SYSTEM:
            facts.append(("outcome", "closed_by_system"))
    if status == Status.DIARSIPKAN:
        facts.append(("outcome", "archived"))
        facts.append(("archive_reason", row["archive_reason"] or ""))
        if row["duplicate_of_id"]:
            facts.append(("outcome", "duplicates"))
    if row["reopen_count"]:
        facts.append(("outcome", "reopened"))
    if status == Status.DITERUSKAN:
        # Forwarded to a peer installation, which now answers for it (and counts it as `instansi`).
        facts.append(("outcome", "forwarded"))
        facts.append(("forwarded_to", row["forwarded_to"] or ""))
    if returns:
        facts.append(("outcome", "returned"))
        facts.extend(("returns", code) for code in returns)
    rating = row["last_rating"]
    if rating:
        facts.append(("rating", str(rating)))
    if agency:
        # The per-OPD league table: the current lead agency answers for the report.
        facts.append(("league", f"{agency}|total"))
        if followed_up:
            facts.append(("league", f"{agency}|followed_up"))
        if completed:
            facts.append(("league", f"{agency}|completed"))
        if in_time is not None:
            facts.append(("league", f"{agency}|{'in' if in_time else 'late'}"))
        if rating:
            facts.append(("league", f"{agency}|rating:{rating}"))
    return facts


def scopes_of(row: dict[str, Any]) -> list[str]:
    """The scope keys a report counts in: the kabupaten, its lead OPD, its kecamatan."""
    keys = [""]
    if row["lead_agency__code"]:
        keys.append(f"agency:{row['lead_agency__code']}")
    if row["kecamatan_id"]:
        keys.append(f"kecamatan:{row['kecamatan_id']}")
    return keys


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def reports_submitted(
    start: dt.date, end: dt.date, reports: QuerySet[Report] | None = None
) -> QuerySet[Report]:
    """Reports (of `reports`, an actor's selector; all by default) whose submission falls on local
    days start..end (inclusive)."""
    return (Report.objects.all() if reports is None else reports).filter(
        submitted_at__gte=local_midnight(start), submitted_at__lt=local_midnight(end + dt.timedelta(days=1))
    )


def scoped(reports: QuerySet[Report], scope_key: str) -> QuerySet[Report]:
    if scope_key.startswith("agency:"):
        return reports.filter(lead_agency__code=scope_key.split(":", 1)[1])
    if scope_key.startswith("kecamatan:"):
        return reports.filter(kecamatan_id=scope_key.split(":", 1)[1])
    return reports


def latest_rating() -> Subquery:
    """The score of a report's last rating (None when unrated), to annotate reports with."""
    return Subquery(
        Rating.objects.filter(report=OuterRef("pk")).order_by("-created_at", "-pk").values("score")[:1]
    )


def forwarded_to() -> Subquery:
    """The installation an active forwarding names (None when the report is not forwarded)."""
    return Subquery(
        Forwarding.objects.filter(report=OuterRef("pk"), is_active=True).values("destination")[:1]
    )


def fact_rows(reports: QuerySet[Report]) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """(row, returning agencies) for each report, streamed."""
    returns: dict[int, list[str]] = defaultdict(list)
    for report_id, code in AgencyReturn.objects.filter(report__in=reports.values("pk")).values_list(
        "report_id", "agency__code"
    ):
        returns[report_id].append(code)
    rows = (
        reports.annotate(last_rating=latest_rating(), forwarded_to=forwarded_to()).order_by().values(*FIELDS)
    )
    for row in rows.iterator(chunk_size=5000):
        yield row, returns.get(row["pk"], [])


def raw_counter(
    start: dt.date,
    end: dt.date,
    scope_key: str = "",
    ctx: FactContext | None = None,
    *,
    confidential_only: bool = False,
) -> Counter[Fact]:
    """Facts counted straight from the raw tables for one scope (or only its confidential reports,
    which public statistics take away from the counts)."""
    ctx = ctx or FactContext()
    counter: Counter[Fact] = Counter()
    reports = scoped(reports_submitted(start, end), scope_key)
    if confidential_only:
        reports = reports.filter(is_confidential=True)
    for row, returns in fact_rows(reports):
        counter.update(report_facts(row, returns, ctx))
    return counter
