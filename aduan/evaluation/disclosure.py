"""Public statistics: the one rule of docs/evaluation.md ("Privacy"), applied to the evaluation dict.

1. Confidential reports are counted in internal statistics only: the public figures are the
   internal counts minus the facts of the period's confidential reports (read raw: they are few,
   and a partial index finds them).
2. No public number singles out a report: a count from 1 to k - 1 (k = ADUAN_PUBLIC_STATS_MIN_COUNT,
   5 by default) is withheld (None; "< 5" on the page, empty in the CSV) wherever it counts a slice
   narrower than the whole kabupaten over at least a year. In such a slice (a kecamatan or OPD
   scope, a period shorter than a year) that is every count, and every share, median or average
   whose base or numerator is withheld; in the kabupaten-year slice, the cells that are themselves
   narrower: each kecamatan, each desa, each month.

The coordinator's internal evaluation (dashboard, PDF/XLSX, `aduan report`) is never changed here.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings

from aduan.evaluation.counts import counted_counter
from aduan.evaluation.facts import raw_counter
from aduan.evaluation.stats import KABUPATEN, Period, Scope, figures


def min_count() -> int:
    return int(settings.ADUAN_PUBLIC_STATS_MIN_COUNT)


def is_broad(period: Period, scope: Scope) -> bool:
    """The whole kabupaten over at least a year: its figures may be small without singling anyone out."""
    return scope.kind == KABUPATEN.kind and (period.end - period.start).days + 1 >= 365


def public_evaluation_for(period: Period, scope: Scope = KABUPATEN) -> dict[str, Any]:
    """The evaluation as the public may see it: no confidential report, no count below k."""
    # Counter's minus keeps the positive counts only: a fact no public report has is gone.
    counter = counted_counter(period.start, period.end, scope.key) - raw_counter(
        period.start, period.end, scope.key, confidential_only=True
    )
    return withhold_small_counts(figures(counter, period, scope, public=True), period, scope)


class _Withholder:
    def __init__(self, k: int) -> None:
        self.k = k
        self.withheld = 0

    def count(self, n: Any) -> Any:
        if isinstance(n, int) and not isinstance(n, bool) and 0 < n < self.k:
            self.withheld += 1
            return None
        return n

    def counts(self, values: dict[str, Any]) -> dict[str, Any]:
        return {key: self.counts(n) if isinstance(n, dict) else self.count(n) for key, n in values.items()}

    def entries(self, values: dict[str, dict[str, Any]]) -> None:
        for entry in values.values():
            entry["count"] = self.count(entry["count"])


def _share(share: Any, *parts: Any) -> Any:
    return None if any(p is None for p in parts) else share


def withhold_small_counts(data: dict[str, Any], period: Period, scope: Scope) -> dict[str, Any]:
    """`data` with every count that could single out a report withheld (see the module docstring)."""
    data = copy.deepcopy(data)
    k = min_count()
    hide = _Withholder(k)
    data["by_month"] = hide.counts(data["by_month"])
    hide.entries(data["by_kecamatan"])
    hide.entries(data["by_desa"])
    broad = is_broad(period, scope)
    if not broad:
        _withhold_narrow(data, hide)
    data["privacy"] = {
        "min_count": k,
        "slice": "kabupaten_year" if broad else "narrow",
        "withheld": hide.withheld,
        "confidential_excluded": True,
    }
    return data


def _withhold_narrow(data: dict[str, Any], hide: _Withholder) -> None:
    total = data["total"] = hide.count(data["total"])
    for name in ("by_channel", "by_kind", "by_classification", "by_status", "by_outcome"):
        data[name] = hide.counts(data[name])
    data["unclassified"] = hide.count(data["unclassified"])
    outcome = data["by_outcome"]
    data["shares"] = {key: _share(v, total, outcome[key]) for key, v in data["shares"].items()}
    for entry in data["by_category"].values():
        entry["count"] = hide.count(entry["count"])
        hide.entries(entry["sub"])
    hide.entries(data["by_agency"])
    hide.entries(data["returns_by_agency"])
    for times in data["times_working_days"].values():
        for summary in [times, *times["by_classification"].values()]:
            if hide.count(summary["n"]) is None:
                summary.update(n=None, median=None, p90=None, mean=None)
    deadlines = data["within_deadline"]
    for row in [deadlines["verification"], *deadlines["follow_up"].values()]:
        row["within"], row["late"] = hide.count(row["within"]), hide.count(row["late"])
        row["share_within"] = _share(row["share_within"], row["within"], row["late"])
    deadlines["open_overdue"] = hide.count(deadlines["open_overdue"])
    ratings = data["ratings"]
    ratings["count"] = hide.count(ratings["count"])
    ratings["distribution"] = hide.counts(ratings["distribution"])
    ratings["average"] = _share(ratings["average"], ratings["count"])
    reopen = data["reopen"]
    reopen["count"] = hide.count(reopen["count"])
    reopen["rate"] = _share(reopen["rate"], reopen["count"], total)
    for row in data["league"]:
        for key in ("total", "followed_up", "completed", "within_deadline", "late", "returns"):
            row[key] = hide.count(row[key])
        row["share_followed_up"] = _share(row["share_followed_up"], row["total"], row["followed_up"])
        row["share_completed"] = _share(row["share_completed"], row["total"], row["completed"])
        row["share_within_deadline"] = _share(
            row["share_within_deadline"], row["within_deadline"], row["late"]
        )
        row["rating_average"] = None  # how many rated an OPD is not shown: one rating could be all
        row["band"] = _share(row["band"], row["share_followed_up"])
    resolution = data["resolution"]
    resolution["resolved"], resolution["base"] = (
        hide.count(resolution["resolved"]),
        hide.count(resolution["base"]),
    )
    if _share(resolution["share"], resolution["resolved"], resolution["base"]) is None:
        resolution["share"] = None
        resolution["band"] = {"code": None, "label": "-"}
