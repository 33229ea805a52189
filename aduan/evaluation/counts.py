"""Pre-aggregated counts: the refresh job, the workflow hook that marks days stale, and reads.

Design (docs/evaluation.md): the facts of the reports submitted in a month are counted into
`StatCount` month rows per scope (kabupaten, each lead OPD, each kecamatan) and day rows for the
kabupaten; quarter and year rows sum the months. Every committed workflow event bumps the
`CountedDay.version` of the day its report was submitted (hook in `workflow.services.
after_commit_hooks`, registered in apps.py); `aduan stats_refresh` (run it every few minutes from
cron or the worker) recounts the months holding a day whose version moved. Reads take year rows
for whole fresh years, quarter rows for whole fresh quarters, month rows for whole fresh months, day rows for other fresh days, and the
raw tables for stale or never-counted days — the answer is always current; the job only decides
how much of it is precomputed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.db import connection, connections, router, transaction
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone

from aduan.core import bulkinsert, clock
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


def mark_stale(events: Sequence[object]) -> None:
    """after_commit hook: the counts of the days these reports were submitted are out of date
    (one UPDATE for all the events of a transaction). Also a statement hook: for new reports
    written in a bulkinsert block, the UPDATE joins the block's statement (workflow.services)."""
    days = set()
    for event in events:
        report = getattr(event, "report", None)
        if report is not None and report.submitted_at is not None:
            days.add(clock.local_date(report.submitted_at))
    if days:
        # As CountedDay.objects.filter(day__in=days).update(version=F("version") + 1), without the
        # ORM's compiling: this runs with every group commit of the intake API.
        alias = router.db_for_write(CountedDay)
        field = CountedDay._meta.get_field("day")
        bulkinsert.statement(
            f"UPDATE {CountedDay._meta.db_table} SET version = version + 1 "  # noqa: S608 - a model's table name
            f"WHERE day IN ({', '.join(['%s'] * len(days))})",
            [field.get_db_prep_value(day, connections[alias]) for day in sorted(days)],
            using=alias,
        )


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
    """Recount every month in start..end (default: from the first report up to today) holding a
    day that is not fresh; returns the number of months counted."""
    if start is None or end is None:
        bounds = Report.objects.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
        if bounds["first"] is None:
            return 0
        start = start or timezone.localdate(bounds["first"])
        end = end or max(timezone.localdate(bounds["last"]), clock.local_today())
    CountedDay.objects.bulk_create(
        [CountedDay(day=d) for d in _days(start, end)], ignore_conflicts=True, batch_size=1000
    )
    stale_days = CountedDay.objects.filter(day__range=(start, end)).exclude(counted_version=F("version"))
    months = sorted({_month_start(day) for day in stale_days.values_list("day", flat=True)})
    ctx = FactContext()
    done = 0
    for month in months:
        last = _month_end(month)
        with transaction.atomic():
            # The versions before counting: an event that lands meanwhile leaves its day stale.
            versions = dict(CountedDay.objects.filter(day__range=(month, last)).values_list("day", "version"))
            _count_month(month, last, ctx)
            now = clock.now()
            for day, version in versions.items():
                CountedDay.objects.filter(day=day).update(counted_version=version, refreshed_at=now)
        done += 1
        if progress:
            progress(done, len(months))
    for year in sorted({month.year for month in months}):
        _rebuild_year(year)
    if months and connection.vendor == "postgresql":
        # Fresh statistics for the planner: after a bulk recount the (grain, scope, period) index
        # must be chosen over a scan of the whole table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE evaluation_statcount")
    return done


def _count_month(month: dt.date, last: dt.date, ctx: FactContext) -> None:
    """Recount one month: day rows for the kabupaten (custom ranges), month rows for every scope."""
    by_day: dict[dt.date, Counter[Fact]] = defaultdict(Counter)
    by_scope: dict[str, Counter[Fact]] = defaultdict(Counter)
    for row, returns in fact_rows(reports_submitted(month, last)):
        facts = report_facts(row, returns, ctx)
        by_day[ctx.local_date(row["submitted_at"])].update(facts)
        for scope in scopes_of(row):
            by_scope[scope].update(facts)
    StatCount.objects.filter(grain="d", period__range=(month, last)).delete()
    StatCount.objects.filter(grain="m", period=month).delete()
    rows = [
        ("", "d", day, dim, key, n) for day, counter in by_day.items() for (dim, key), n in counter.items()
    ]
    rows += [
        (scope, "m", month, dim, key, n)
        for scope, counter in by_scope.items()
        for (dim, key), n in counter.items()
    ]
    _write(rows)


def _write(rows: list[tuple[str, str, dt.date, str, str, int]]) -> None:
    """Insert StatCount rows: COPY on PostgreSQL (a year at national scale is ~10^6 rows)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                "COPY evaluation_statcount (scope, grain, period, dimension, key, count) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    StatCount.objects.bulk_create(
        (StatCount(scope=sc, grain=g, period=p, dimension=d, key=k, count=n) for sc, g, p, d, k, n in rows),
        batch_size=2000,
    )


def _rebuild_year(year: int) -> None:
    """Quarter ("q") and year ("y") rows of a year, summed from its month rows."""
    with transaction.atomic():
        first = dt.date(year, 1, 1)
        StatCount.objects.filter(grain__in=("q", "y"), period__range=(first, dt.date(year, 12, 31))).delete()
        rows: list[tuple[str, str, dt.date, str, str, int]] = []
        spans = [("q", dt.date(year, m, 1), dt.date(year, m + 2, 1)) for m in (1, 4, 7, 10)]
        for grain, start, last_month in [*spans, ("y", first, dt.date(year, 12, 1))]:
            sums = (
                StatCount.objects.filter(grain="m", period__range=(start, last_month))
                .values_list("scope", "dimension", "key")
                .annotate(total=Sum("count"))
                .order_by()
            )
            rows.extend(
                (scope, grain, start, dim, key, total)
                for scope, dim, key, total in sums.iterator(chunk_size=5000)
            )
        _write(rows)


def counted_counter(start: dt.date, end: dt.date, scope_key: str = "") -> Counter[Fact]:
    """Facts for a period and scope: pre-aggregated where fresh, raw where not."""
    fresh = set(
        CountedDay.objects.filter(day__range=(start, end), counted_version=F("version")).values_list(
            "day", flat=True
        )
    )
    years: list[dt.date] = []
    quarters: list[dt.date] = []
    months: list[dt.date] = []
    day_ranges: list[tuple[dt.date, dt.date]] = []
    month = _month_start(start)
    while month <= end:
        year_end = dt.date(month.year, 12, 31)
        if (
            month.month == 1
            and month >= start
            and year_end <= end
            and all(d in fresh for d in _days(month, year_end))
        ):
            # A whole fresh calendar year: its year rows (rebuilt after every refresh of that year).
            years.append(month)
            month = year_end + dt.timedelta(days=1)
            continue
        quarter_end = (
            _month_end(month.replace(month=month.month + 2)) if month.month in (1, 4, 7, 10) else None
        )
        if (
            quarter_end
            and month >= start
            and quarter_end <= end
            and all(d in fresh for d in _days(month, quarter_end))
        ):
            quarters.append(month)
            month = quarter_end + dt.timedelta(days=1)
            continue
        month_days = _days(max(month, start), min(_month_end(month), end))
        whole = month >= start and _month_end(month) <= end
        if whole and all(d in fresh for d in month_days):
            months.append(month)
        else:
            day_ranges.extend(_ranges(d for d in month_days if d in fresh))
        month = _month_end(month) + dt.timedelta(days=1)
    if scope_key:
        # Day rows exist for the whole kabupaten only; a scope's partial months come from raw rows.
        fresh -= {d for first, last in day_ranges for d in _days(first, last)}
        day_ranges = []
    counter: Counter[Fact] = Counter()
    where = Q(pk__in=[])
    if years:
        where |= Q(grain="y", period__in=years)
    if quarters:
        where |= Q(grain="q", period__in=quarters)
    if months:
        where |= Q(grain="m", period__in=months)
    for first, last in day_ranges:
        where |= Q(grain="d", period__range=(first, last))
    if years or quarters or months or day_ranges:
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
