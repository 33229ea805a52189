"""Pre-aggregated counts: the refresh job, the workflow hook that marks days stale, and reads.

Design (docs/evaluation.md): facts of the reports submitted on a day are counted per scope into
`StatCount` day rows, then summed into month rows. Every committed workflow event bumps the
`CountedDay.version` of the day its report was submitted (hook in `workflow.services.
after_commit_hooks`, registered in apps.py); `aduan stats_refresh` (run it every few minutes from
cron or the worker) recounts the days whose version moved. Reads take month rows for whole fresh
months, day rows for other fresh days, and the raw tables for stale or never-counted days — the
answer is always current; the job only decides how much of it is precomputed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone

from aduan.core import clock
from aduan.evaluation.facts import (
    Fact,
    FactContext,
    fact_rows,
    raw_counter,
    report_facts,
    reports_submitted,
    scopes_of,
)
from aduan.evaluation.models import CountedDay, StatCount
from aduan.intake.models import Report


def mark_stale(event: object) -> None:
    """after_commit hook: the counts of the day this report was submitted are out of date."""
    report = getattr(event, "report", None)
    if report is None or report.submitted_at is None:
        return
    day = timezone.localdate(report.submitted_at)
    CountedDay.objects.filter(day=day).update(version=F("version") + 1)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Contiguous runs of the given days."""
    out: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if out and out[-1][1] + dt.timedelta(days=1) == day:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def refresh(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recount every day in start..end (default: all days with reports, up to today) that is not
    fresh; returns the number of days counted."""
    if start is None or end is None:
        bounds = Report.objects.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
        if bounds["first"] is None:
            return 0
        start = start or timezone.localdate(bounds["first"])
        end = end or max(timezone.localdate(bounds["last"]), clock.local_today())
    CountedDay.objects.bulk_create(
        [CountedDay(day=d) for d in _days(start, end)], ignore_conflicts=True, batch_size=1000
    )
    stale = dict(
        CountedDay.objects.filter(day__range=(start, end))
        .exclude(counted_version=F("version"))
        .values_list("day", "version")
    )
    by_month: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in stale:
        by_month[_month_start(day)].append(day)
    ctx = FactContext()
    done = 0
    for month in sorted(by_month):
        days = sorted(by_month[month])
        with transaction.atomic():
            for first, last in _ranges(days):
                _count_days(first, last, ctx)
            _rebuild_month(month)
            for day in days:
                # The version read before counting: an event that lands meanwhile leaves it stale.
                CountedDay.objects.filter(day=day).update(
                    counted_version=stale[day], refreshed_at=clock.now()
                )
        done += len(days)
        if progress:
            progress(done, len(stale))
    return done


def _count_days(first: dt.date, last: dt.date, ctx: FactContext) -> None:
    counters: dict[tuple[str, dt.date], Counter[Fact]] = defaultdict(Counter)
    for row, returns in fact_rows(reports_submitted(first, last)):
        facts = report_facts(row, returns, ctx)
        day = ctx.local_date(row["submitted_at"])
        for scope in scopes_of(row):
            counters[(scope, day)].update(facts)
    StatCount.objects.filter(grain="d", period__range=(first, last)).delete()
    StatCount.objects.bulk_create(
        (
            StatCount(scope=scope, grain="d", period=day, dimension=dim, key=key, count=n)
            for (scope, day), counter in counters.items()
            for (dim, key), n in counter.items()
        ),
        batch_size=5000,
    )


def _rebuild_month(month: dt.date) -> None:
    StatCount.objects.filter(grain="m", period=month).delete()
    sums = (
        StatCount.objects.filter(grain="d", period__range=(month, _month_end(month)))
        .values("scope", "dimension", "key")
        .annotate(total=Sum("count"))
        .order_by()
    )
    StatCount.objects.bulk_create(
        (
            StatCount(
                scope=s["scope"],
                grain="m",
                period=month,
                dimension=s["dimension"],
                key=s["key"],
                count=s["total"],
            )
            for s in sums.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


def counted_counter(start: dt.date, end: dt.date, scope_key: str = "") -> Counter[Fact]:
    """Facts for a period and scope: pre-aggregated where fresh, raw where not."""
    fresh = set(
        CountedDay.objects.filter(day__range=(start, end), counted_version=F("version")).values_list(
            "day", flat=True
        )
    )
    months: list[dt.date] = []
    day_ranges: list[tuple[dt.date, dt.date]] = []
    month = _month_start(start)
    while month <= end:
        month_days = _days(max(month, start), min(_month_end(month), end))
        whole = month >= start and _month_end(month) <= end
        if whole and all(d in fresh for d in month_days):
            months.append(month)
        else:
            day_ranges.extend(_ranges(d for d in month_days if d in fresh))
        month = _month_end(month) + dt.timedelta(days=1)
    counter: Counter[Fact] = Counter()
    where = Q(grain="m", period__in=months) if months else Q(pk__in=[])
    for first, last in day_ranges:
        where |= Q(grain="d", period__range=(first, last))
    if months or day_ranges:
        rows = (
            StatCount.objects.filter(where, scope=scope_key)
            .values_list("dimension", "key")
            .annotate(total=Sum("count"))
            .order_by()
        )
        for dim, key, total in rows:
            counter[(dim, key)] += total
    stale = [d for d in _days(start, end) if d not in fresh]
    if stale:
        ctx = FactContext()
        for first, last in _ranges(stale):
            counter.update(raw_counter(first, last, scope_key, ctx))
    return counter
