"""The one set of report filters shared by the statistics dashboard and the console's queues.

Every number on the dashboard counts facts of `aduan.evaluation.facts.report_facts`; the
dashboard links it to `/konsol/antrean/semua/?<these parameters>`, and the console narrows its
list with `reports_matching`. Each filter here is the query form of one fact, so a link opens
exactly the reports behind its number (tests/evaluation/test_drilldown.py follows every link).

Parameters (GET, all optional; an unknown value is ignored rather than refused, like any filter form):

| name | value | fact |
|---|---|---|
| `date_from`, `date_to` | YYYY-MM-DD, local submission days (inclusive) | the period |
| `status` | a status | `status` |
| `kind` | pengaduan, aspirasi, permintaan_informasi | `kind` |
| `classification` | a classification, or `unclassified` | `classification` |
| `category` | a category code (its sub-topics included), or `tanpa_kategori` | `category` |
| `subcategory` | a category code (that category only) | `subcategory` |
| `kecamatan` | a kecamatan code, or `tanpa_lokasi` | `kecamatan` |
| `desa` | a desa code | `desa` |
| `agency` | the lead OPD's code, or `belum_ada_opd` | `agency` (disposed reports) |
| `channel` | a channel | `channel` |
| `outcome` | open, verified, disposed, followed_up, completed, closed_by_system, archived, duplicates, returned, reopened, forwarded | `outcome` |
| `archive_reason` | an archive reason | `archive_reason` |
| `closed_by` | citizen, agency, coordinator, system | `closed_by` |
| `rating` | 1–5, the last rating; `any`: rated | `rating` |
| `returned_by` | an OPD's code | `returns` |
| `deadline` | verification_within, verification_late, follow_up_within, follow_up_late | `dl_verify`, `dl_follow_up` |
| `overdue` | 1: open, staff's step, past its deadline now | `open_overdue` |
| `q` | words or a tracking number (the console's search) | — |
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from aduan.directory.selectors import category_subtree_q
from aduan.evaluation.facts import (
    UNCLASSIFIED,
    FactContext,
    fact_rows,
    latest_rating,
    local_midnight,
    report_facts,
)
from aduan.evaluation.stats import NO_AGENCY, NO_CATEGORY, NO_LOCATION
from aduan.intake.models import (
    OPEN_STATUSES,
    ArchiveReason,
    Channel,
    Classification,
    ClosedBy,
    Kind,
    Report,
    Status,
)
from aduan.sla.selectors import overdue_q
from aduan.workflow.models import AgencyReturn, Rating

_COMPLETED = Q(status=Status.SELESAI, completed_at__isnull=False)
_ARCHIVED = Q(status=Status.DIARSIPKAN)
OUTCOMES: dict[str, Q] = {
    "open": Q(status__in=[s.value for s in OPEN_STATUSES]),
    "verified": Q(verified_at__isnull=False),
    "disposed": Q(first_disposed_at__isnull=False),
    "followed_up": Q(first_follow_up_at__isnull=False),
    "completed": _COMPLETED,
    "closed_by_system": _COMPLETED & Q(closed_by=ClosedBy.SYSTEM),
    "archived": _ARCHIVED,
    "duplicates": _ARCHIVED & Q(duplicate_of__isnull=False),
    "returned": Q(Exists(AgencyReturn.objects.filter(report=OuterRef("pk")))),
    "reopened": Q(reopen_count__gt=0),
    "forwarded": Q(status=Status.DITERUSKAN),
}
DEADLINES = {
    "verification_within": ("dl_verify", "in"),
    "verification_late": ("dl_verify", "late"),
    "follow_up_within": ("dl_follow_up", "in"),
    "follow_up_late": ("dl_follow_up", "late"),
}


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def reports_matching(reports: QuerySet[Report], params: Any) -> QuerySet[Report]:
    """Narrow `reports` (an actor's selector or queue) by the shared filter parameters."""
    get = params.get
    since, until = _date(get("date_from")), _date(get("date_to"))
    if since:
        reports = reports.filter(submitted_at__gte=local_midnight(since))
    if until:
        reports = reports.filter(submitted_at__lt=local_midnight(until + dt.timedelta(days=1)))
    if get("status") in Status.values:
        reports = reports.filter(status=get("status"))
    if get("kind") in Kind.values:
        reports = reports.filter(kind=get("kind"))
    classification = get("classification")
    if classification in Classification.values:
        reports = reports.filter(classification=classification)
    elif classification == UNCLASSIFIED:
        reports = reports.filter(Q(classification="") | Q(classification__isnull=True))
    category = get("category")
    if category == NO_CATEGORY:
        reports = reports.filter(category__isnull=True)
    elif category:
        reports = reports.filter(category_subtree_q([category]))
    if get("subcategory"):
        reports = reports.filter(category__code=get("subcategory"))
    kecamatan = get("kecamatan")
    if kecamatan == NO_LOCATION:
        reports = reports.filter(kecamatan__isnull=True)
    elif kecamatan:
        reports = reports.filter(kecamatan_id=kecamatan)
    if get("desa"):
        reports = reports.filter(desa_id=get("desa"))
    agency = get("agency")
    if agency == NO_AGENCY:
        reports = reports.filter(first_disposed_at__isnull=False, lead_agency__isnull=True)
    elif agency:
        reports = reports.filter(lead_agency__code=agency)
    if get("channel") in Channel.values:
        reports = reports.filter(channel=get("channel"))
    if get("outcome") in OUTCOMES:
        reports = reports.filter(OUTCOMES[get("outcome")])
    if get("archive_reason") in ArchiveReason.values:
        reports = reports.filter(_ARCHIVED, archive_reason=get("archive_reason"))
    if get("closed_by") in ClosedBy.values:
        reports = reports.filter(_COMPLETED, closed_by=get("closed_by"))
    if get("rating") in {"1", "2", "3", "4", "5"}:
        reports = reports.annotate(_last_rating=latest_rating()).filter(_last_rating=int(get("rating")))
    elif get("rating") == "any":
        reports = reports.filter(Exists(Rating.objects.filter(report=OuterRef("pk"))))
    if get("returned_by"):
        returned = AgencyReturn.objects.filter(report=OuterRef("pk"), agency__code=get("returned_by"))
        reports = reports.filter(Exists(returned))
    if get("overdue"):
        reports = reports.filter(overdue_q())
    if get("deadline") in DEADLINES:
        reports = _by_deadline(reports, *DEADLINES[get("deadline")])
    return reports


def _by_deadline(reports: QuerySet[Report], dimension: str, verdict: str) -> QuerySet[Report]:
    """Within or past a step's limit in working days: the facts themselves decide (the calendar
    is not a query), over the reports the other filters left (a period, usually)."""
    ctx = FactContext()
    keep = []
    for row, returns in fact_rows(reports.filter(first_disposed_at__isnull=False)):
        for fact_dimension, key in report_facts(row, returns, ctx):
            if fact_dimension == dimension and key.rsplit("|", 1)[-1] == verdict:
                keep.append(row["pk"])
                break
    return reports.filter(pk__in=keep)
