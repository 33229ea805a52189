"""The evaluation: every figure of issue 5 for a period and a scope, as a plain dict.

`evaluation(period_start, period_end, scope=...)` is the one entry point; the JSON report, the
PDF/XLSX, the dashboard and the public statistics all render its result. The names of the
top-level keys are fixed (open-data users rely on them); docs/evaluation.md is the schema.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from aduan.core import clock
from aduan.core.errors import InvalidInput
from aduan.directory.models import Agency, Category, Region
from aduan.evaluation.facts import UNCLASSIFIED, Fact, raw_counter, reports_submitted, scoped
from aduan.intake.models import (
    ArchiveReason,
    Channel,
    Classification,
    ClosedBy,
    Kind,
    Status,
)
from aduan.sla.calendar import limit
from aduan.sla.selectors import overdue_q

# The by_agency row of disposed reports that have no lead OPD now (returned as bukan kewenangan).
NO_AGENCY = "belum_ada_opd"
NO_AGENCY_NAME = "Belum ada OPD — dikembalikan ke koordinator"
NO_AGENCY_SHORT_NAME = "Belum ada OPD"
# The by_category row of reports without a category, the by_kecamatan row of those without a place.
NO_CATEGORY = "tanpa_kategori"
NO_LOCATION = "tanpa_lokasi"


class Band(NamedTuple):
    label: str  # as the JSON and the documents (PDF, XLSX) show it
    wording: str  # as the statistics pages say it (a msgid: translated there)


# The national bands of the share of reports followed up, by code (`_band`).
BANDS = {
    "below_50": Band("< 50%", gettext_noop("kurang dari separuh ditindaklanjuti")),
    "50_to_90": Band("50–90%", gettext_noop("separuh sampai 9 dari 10 ditindaklanjuti")),
    "above_90": Band("> 90%", gettext_noop("lebih dari 9 dari 10 ditindaklanjuti")),
}

SCHEMA_VERSION = 1
MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


@dataclass(frozen=True)
class Scope:
    """Whose reports: the whole kabupaten, one OPD (lead agency) or one kecamatan."""

    kind: str = "kabupaten"
    code: str = ""

    @property
    def key(self) -> str:
        return "" if self.kind == "kabupaten" else f"{self.kind}:{self.code}"

    def name(self) -> str:
        if self.kind == "agency":
            agency = Agency.objects.filter(code=self.code).first()
            return agency.name if agency else self.code
        if self.kind == "kecamatan":
            region = Region.objects.filter(code=self.code).first()
            return f"Kecamatan {region.name}" if region else self.code
        return str(settings.INSTALLATION_NAME)

    @classmethod
    def parse(cls, kind: str | None, code: str | None) -> Scope:
        kind = (kind or "kabupaten").strip()
        code = (code or "").strip()
        if kind == "kabupaten":
            return KABUPATEN
        if kind == "agency" and Agency.objects.filter(code=code).exists():
            return cls("agency", code)
        if kind == "kecamatan" and Region.objects.filter(code=code, level=Region.Level.KECAMATAN).exists():
            return cls("kecamatan", code)
        raise InvalidInput("Cakupan tidak dikenal.", code="invalid_scope", field="scope")


KABUPATEN = Scope()


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"Tahun {year}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = dt.date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        end = dt.date(year, last_month, pycalendar.monthrange(year, last_month)[1])
        return cls(first, end, f"Triwulan {quarter} {year}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        end = dt.date(year, month, pycalendar.monthrange(year, month)[1])
        return cls(dt.date(year, month, 1), end, f"{MONTHS_ID[month - 1]} {year}")

    @classmethod
    def custom(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise InvalidInput("Tanggal akhir sebelum tanggal awal.", code="invalid_period", field="date_to")
        if (end - start).days > 3660:
            raise InvalidInput("Rentang paling lama sepuluh tahun.", code="invalid_period", field="date_to")
        return cls(start, end, f"{start:%d-%m-%Y} s.d. {end:%d-%m-%Y}")

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Period:
        """year [+ quarter | month], or date_from + date_to; default: the current year."""

        def number(name: str, low: int, high: int) -> int | None:
            raw = (params.get(name) or "").strip()
            if not raw:
                return None
            try:
                value = int(raw)
            except ValueError:
                value = low - 1
            if not low <= value <= high:
                raise InvalidInput(f"Nilai {name} tidak valid.", code="invalid_period", field=name)
            return value

        date_from, date_to = (params.get("date_from") or "").strip(), (params.get("date_to") or "").strip()
        if date_from and date_to:
            try:
                return cls.custom(dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to))
            except ValueError:
                raise InvalidInput(
                    "Tanggal harus berformat YYYY-MM-DD.", code="invalid_period", field="date_from"
                ) from None
        year = number("year", 2000, 2100) or clock.local_today().year
        quarter = number("quarter", 1, 4)
        month = number("month", 1, 12)
        if month:
            return cls.month(year, month)
        if quarter:
            return cls.quarter(year, quarter)
        return cls.year(year)


def evaluation(
    period_start: dt.date,
    period_end: dt.date,
    scope: Scope = KABUPATEN,
    *,
    use_counts: bool = True,
    label: str | None = None,
) -> dict[str, Any]:
    """Every figure for reports submitted (local time) from period_start to period_end inclusive."""
    from aduan.evaluation.counts import counted_counter

    if use_counts:
        counter = counted_counter(period_start, period_end, scope.key)
    else:
        counter = raw_counter(period_start, period_end, scope.key)
    period = Period(period_start, period_end, label or Period.custom(period_start, period_end).label)
    return figures(counter, period, scope)


def evaluation_for(period: Period, scope: Scope = KABUPATEN, *, use_counts: bool = True) -> dict[str, Any]:
    return evaluation(period.start, period.end, scope, use_counts=use_counts, label=period.label)


# --- building the figures from counted facts ---------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _histogram(counter: Counter[Fact], dimension: str) -> dict[str, Counter[int]]:
    """{classification: Counter(working days → reports)} for a t_* dimension."""
    out: dict[str, Counter[int]] = {}
    for (dim, key), n in counter.items():
        if dim == dimension and n:
            cls, days = key.rsplit("|", 1)
            out.setdefault(cls, Counter())[int(days)] += n
    return out


def _quantile_summary(hist: Counter[int]) -> dict[str, Any]:
    """n, mean, median (midpoint of the two middle values when n is even) and p90 (nearest rank)."""
    n = sum(hist.values())
    if not n:
        return {"n": 0, "median": None, "p90": None, "mean": None}
    values = sorted(hist.items())

    def nth(rank: int) -> int:  # 1-based rank
        seen = 0
        for value, count in values:
            seen += count
            if seen >= rank:
                return value
        return values[-1][0]

    median = (nth((n + 1) // 2) + nth(n // 2 + 1)) / 2
    return {
        "n": n,
        "median": median,
        "p90": nth(math.ceil(0.9 * n)),
        "mean": round(sum(v * c for v, c in values) / n, 2),
    }


def _times(counter: Counter[Fact], dimension: str) -> dict[str, Any]:
    hist = _histogram(counter, dimension)
    total: Counter[int] = Counter()
    for part in hist.values():
        total.update(part)
    result = _quantile_summary(total)
    result["by_classification"] = {
        cls: _quantile_summary(hist.get(cls, Counter())) for cls in Classification.values
    }
    return result


def _band(share: float | None) -> dict[str, Any]:
    """The national bands of the share of reports resolved."""
    if share is None:
        return {"code": None, "label": "Belum ada data"}
    code = "below_50" if share < 50 else "50_to_90" if share <= 90 else "above_90"
    return {"code": code, "label": BANDS[code].label}


def figures(counter: Counter[Fact], period: Period, scope: Scope, *, public: bool = False) -> dict[str, Any]:
    """The evaluation dict from counted facts (same result whichever path counted them); `public`
    when the counter holds no confidential report (aduan.evaluation.disclosure)."""

    def dim(name: str) -> dict[str, int]:
        return {key: n for (d, key), n in counter.items() if d == name and n}

    total = counter[("total", "")]
    outcome = dim("outcome")
    channels = dim("channel")
    categories = {
        code: (pk, name, parent)
        for pk, code, name, parent in Category.objects.values_list("pk", "code", "name", "parent_id")
    }
    code_of = {pk: code for code, (pk, _name, _parent) in categories.items()}

    def top_of(code: str) -> str:
        node = categories.get(code)
        while node is not None and node[2] is not None:
            code = code_of[node[2]]
            node = categories.get(code)
        return code

    agencies = {a.code: a for a in Agency.objects.all()}
    home = settings.ADUAN_HOME_REGION

    by_category: dict[str, Any] = {}
    for code, n in sorted(dim("category").items(), key=lambda kv: (-kv[1], kv[0])):
        node = categories.get(code)
        by_category[code or NO_CATEGORY] = {
            "name": node[1] if node else "Tanpa kategori",
            "count": n,
            "sub": {},
        }
    for code, n in sorted(dim("subcategory").items(), key=lambda kv: (-kv[1], kv[0])):
        node = categories.get(code)
        top = top_of(code) if node else ""
        parent = by_category.setdefault(top or NO_CATEGORY, {"name": top, "count": 0, "sub": {}})
        parent["sub"][code] = {"name": node[1] if node else code, "count": n}

    kecamatan_counts = dim("kecamatan")
    kecamatan_names = dict(
        Region.objects.filter(level=Region.Level.KECAMATAN)
        .filter(code__in=[c for c in kecamatan_counts if c] + [])
        .values_list("code", "name")
    )
    if scope.kind == "kabupaten":
        # Every kecamatan of the kabupaten appears, with zero where nobody reported.
        kecamatan_names.update(
            Region.objects.filter(level=Region.Level.KECAMATAN, parent_id=home).values_list("code", "name")
        )
    elif scope.kind == "kecamatan":
        kecamatan_names.update(Region.objects.filter(code=scope.code).values_list("code", "name"))
    by_kecamatan = {
        code: {"name": kecamatan_names.get(code, code), "count": kecamatan_counts.get(code, 0)}
        for code in sorted(kecamatan_names, key=lambda c: (-kecamatan_counts.get(c, 0), c))
    }
    if kecamatan_counts.get(""):
        by_kecamatan[NO_LOCATION] = {"name": "Tanpa lokasi", "count": kecamatan_counts[""]}
    desa_counts = dim("desa")
    desa_names = dict(Region.objects.filter(code__in=list(desa_counts)).values_list("code", "name"))
    by_desa = {
        code: {"name": desa_names.get(code, code), "kecamatan": ".".join(code.split(".")[:3]), "count": n}
        for code, n in sorted(desa_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    }

    def agency_entry(agency_code: str, **values: Any) -> dict[str, Any]:
        agency = agencies.get(agency_code)
        return {
            "name": agency.name if agency else agency_code,
            "short_name": (agency.short_name or agency.name) if agency else agency_code,
            **values,
        }

    agency_counts = dim("agency")
    by_agency = {
        code: agency_entry(code, count=n)
        for code, n in sorted(agency_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if code
    }
    if agency_counts.get(""):
        # Disposed once, returned as bukan kewenangan and not yet disposed again: no lead OPD, the
        # coordinator holds it (DOMAIN.md §3). Named, like tanpa_lokasi, never a blank row.
        by_agency[NO_AGENCY] = {
            "name": NO_AGENCY_NAME,
            "short_name": NO_AGENCY_SHORT_NAME,
            "count": agency_counts[""],
        }
    returns = {
        code: agency_entry(code, count=n)
        for code, n in sorted(dim("returns").items(), key=lambda kv: (-kv[1], kv[0]))
    }

    follow_up_deadline: dict[str, Any] = {}
    dl_follow_up = dim("dl_follow_up")
    for cls in Classification.values:
        within, late = dl_follow_up.get(f"{cls}|in", 0), dl_follow_up.get(f"{cls}|late", 0)
        follow_up_deadline[cls] = {
            "limit_working_days": limit(f"follow_up:{cls}"),
            "within": within,
            "late": late,
            "share_within": _share(within, within + late),
        }
    dl_verify = dim("dl_verify")
    verify_within, verify_late = dl_verify.get("in", 0), dl_verify.get("late", 0)

    ratings = {int(k): n for k, n in dim("rating").items()}
    rated = sum(ratings.values())

    league_raw = dim("league")
    league_codes = sorted({key.split("|", 1)[0] for key in league_raw})
    league = []
    for code in league_codes:
        get = lambda part, code=code: league_raw.get(f"{code}|{part}", 0)  # noqa: E731
        n_total = get("total")
        scores = {s: get(f"rating:{s}") for s in range(1, 6)}
        n_rated = sum(scores.values())
        share_followed = _share(get("followed_up"), n_total)
        league.append(
            agency_entry(
                code,
                code=code,
                total=n_total,
                followed_up=get("followed_up"),
                completed=get("completed"),
                within_deadline=get("in"),
                late=get("late"),
                share_followed_up=share_followed,
                share_completed=_share(get("completed"), n_total),
                share_within_deadline=_share(get("in"), get("in") + get("late")),
                returns=dim("returns").get(code, 0),
                rating_average=round(sum(s * c for s, c in scores.items()) / n_rated, 2) if n_rated else None,
                band=_band(share_followed)["code"],
            )
        )
    league.sort(
        key=lambda r: (
            -(r["share_followed_up"] or 0),
            -(r["share_within_deadline"] or 0),
            -r["total"],
            r["code"],
        )
    )
    for rank, row in enumerate(league, start=1):
        row["rank"] = rank

    archived = outcome.get("archived", 0)
    needing_answer = total - archived
    resolved_share = _share(outcome.get("followed_up", 0), needing_answer)
    archived_by_reason = {reason: dim("archive_reason").get(reason, 0) for reason in ArchiveReason.values}
    overdue = _overdue_open(period, scope, public=public)

    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.localtime(clock.now()).isoformat(timespec="seconds"),
        "installation": str(settings.INSTALLATION_NAME),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "scope": {"kind": scope.kind, "code": scope.code, "name": scope.name()},
        "total": total,
        "by_month": _months(period, dim("month")),
        "by_channel": {code: channels.get(code, 0) for code in Channel.values},
        "by_kind": {code: dim("kind").get(code, 0) for code in Kind.values},
        "by_classification": {code: dim("classification").get(code, 0) for code in Classification.values},
        "unclassified": dim("classification").get(UNCLASSIFIED, 0),
        "by_status": {code: dim("status").get(code, 0) for code in Status.values},
        "by_outcome": {
            "disposed": outcome.get("disposed", 0),
            "followed_up": outcome.get("followed_up", 0),
            "completed": outcome.get("completed", 0),
            "closed_by_system": outcome.get("closed_by_system", 0),
            "archived": archived,
            "duplicates": outcome.get("duplicates", 0),
            "archived_by_reason": archived_by_reason,
            "open": outcome.get("open", 0),
            "returned": outcome.get("returned", 0),
            "reopened": outcome.get("reopened", 0),
            "completed_by": {code: dim("closed_by").get(code, 0) for code in ClosedBy.values},
            # Forwarded to a peer installation (docs/federation.md), and to which, by its name.
            "forwarded": outcome.get("forwarded", 0),
            "forwarded_to": dict(sorted(dim("forwarded_to").items(), key=lambda kv: (-kv[1], kv[0]))),
        },
        "shares": {
            "disposed": _share(outcome.get("disposed", 0), total),
            "followed_up": _share(outcome.get("followed_up", 0), total),
            "completed": _share(outcome.get("completed", 0), total),
            "archived": _share(archived, total),
        },
        "by_category": by_category,
        "by_kecamatan": by_kecamatan,
        "by_desa": by_desa,
        "by_agency": by_agency,
        "times_working_days": {
            "verify": _times(counter, "t_verify"),
            "first_follow_up": _times(counter, "t_follow_up"),
            "completion": _times(counter, "t_completion"),
        },
        "within_deadline": {
            "verification": {
                "limit_working_days": limit("verification"),
                "within": verify_within,
                "late": verify_late,
                "share_within": _share(verify_within, verify_within + verify_late),
            },
            "follow_up": follow_up_deadline,
            "open_overdue": overdue,
        },
        "ratings": {
            "count": rated,
            "average": round(sum(s * n for s, n in ratings.items()) / rated, 2) if rated else None,
            "distribution": {str(s): ratings.get(s, 0) for s in range(1, 6)},
        },
        "returns_by_agency": returns,
        "reopen": {"count": outcome.get("reopened", 0), "rate": _share(outcome.get("reopened", 0), total)},
        "league": league,
        "resolution": {
            "resolved": outcome.get("followed_up", 0),
            "base": needing_answer,
            "share": resolved_share,
            "band": _band(resolved_share),
        },
    }


def _months(period: Period, counts: dict[str, int]) -> dict[str, int]:
    """Reports per calendar month of the period (zero-filled), for trend lines."""
    out: dict[str, int] = {}
    month = period.start.replace(day=1)
    while month <= period.end:
        key = month.strftime("%Y-%m")
        out[key] = counts.get(key, 0)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _overdue_open(period: Period, scope: Scope, *, public: bool = False) -> int:
    """Open reports of the period past their current deadline now: a live count (deadlines pass
    without any event, so it cannot be pre-aggregated), cached for a minute for busy dashboards."""
    from django.core.cache import cache
    from django.db import connection

    key = f"aduan:eval:overdue:{connection.settings_dict['NAME']}:{period.start}:{period.end}:{scope.key}:{public}"
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    # The staff's clock only, as the console's "terlambat" queue and the drill-down count it.
    reports = scoped(reports_submitted(period.start, period.end).filter(overdue_q()), scope.key)
    if public:
        reports = reports.filter(is_confidential=False)
    count = reports.count()
    cache.set(key, count, 60)
    return count
