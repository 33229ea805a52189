"""Statistics pages: the public page and open data at /statistik/, the staff dashboard at
/statistik/dasbor/. Views only adapt: figures come from `stats.evaluation`, documents from
`documents`; no view writes anything."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aduan.core import clock
from aduan.core.actors import actor_for_user
from aduan.core.dbrouter import replica_reads
from aduan.core.errors import DomainError, PermissionDenied
from aduan.core.roles import AGENCY_ROLES, Role
from aduan.directory.models import Agency, Region
from aduan.evaluation.disclosure import public_evaluation_for
from aduan.evaluation.documents import (
    CHANNEL_LABELS,
    CLASSIFICATION_LABELS,
    OUTCOME_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    TIME_LABELS,
    archived_reports,
    render_csv,
    render_json,
    render_pdf,
    render_xlsx,
)
from aduan.evaluation.stats import BANDS, KABUPATEN, Period, Scope, evaluation_for
from aduan.evaluation.templatetags.evaluation import count
from aduan.evaluation.text import summary
from aduan.intake.models import Report

FULL_DASHBOARD_ROLES = frozenset({Role.COORDINATOR, Role.LEADER})
ARCHIVED_ON_PAGE = 50
PERIOD_KEYS = ("year", "quarter", "month", "date_from", "date_to")


def _years() -> list[int]:
    first = Report.objects.aggregate(first=Min("submitted_at"))["first"]
    this_year = clock.local_today().year
    start = timezone.localtime(first).year if first else this_year
    return list(range(this_year, min(start, this_year) - 1, -1))


def _period_and_scope(request: HttpRequest, *, forced_agency: str | None = None) -> tuple[Period, Scope]:
    params = request.GET
    period = Period.from_params(params)
    if forced_agency:
        return period, Scope("agency", forced_agency)
    kind = params.get("scope") or "kabupaten"
    code = (
        params.get("agency") if kind == "agency" else params.get("kecamatan") if kind == "kecamatan" else ""
    )
    return period, Scope.parse(kind, code)


def _query(period: Period, scope: Scope) -> str:
    """The page's period and scope as a query string (its download and open-data links)."""
    params = _drill_base(period, scope)
    if scope.kind != "kabupaten":
        params["scope"] = scope.kind
        params[scope.kind] = params.pop(scope.kind)  # after `scope`, as the links always had it
    return urlencode(params)


# --- public ---------------------------------------------------------------------------------------


def _public_data(request: HttpRequest) -> tuple[Period, Scope, dict[str, Any]]:
    # Never evaluation_for here: public figures leave out confidential reports and small counts.
    period, scope = _period_and_scope(request)
    return period, scope, public_evaluation_for(period, scope)


def _error_json(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": exc.code, "message": exc.message, "field": exc.field}}, status=exc.http_status
    )


@require_GET
@replica_reads
def public_index(request: HttpRequest) -> HttpResponse:
    error = None
    try:
        period, scope, data = _public_data(request)
    except DomainError as exc:
        error = exc.message
        period, scope = Period.year(clock.local_today().year), KABUPATEN
        data = public_evaluation_for(period, scope)
    context = _page_context(request, period, scope, data, drill=False)
    context["error"] = error
    return render(request, "evaluation/public.html", context)


@require_GET
@replica_reads
def public_data_json(request: HttpRequest) -> HttpResponse:
    """Open data (JSON): aggregates only, the fixed names of docs/evaluation.md."""
    try:
        return public_stats_response(request)
    except DomainError as exc:
        return _error_json(exc)


def public_stats_response(request: HttpRequest) -> HttpResponse:
    """The open-data JSON for the request's period and scope; raises DomainError for a bad one
    (the API answers it as a problem, GET /api/v1/stats)."""
    _period, _scope, data = _public_data(request)
    response = HttpResponse(render_json(data), content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# The public JSON of GET /api/v1/stats?year=2022 (mounted by the API app, and at /statistik/api/v1/stats).
public_stats_json = public_data_json


@require_GET
@replica_reads
def public_data_csv(request: HttpRequest) -> HttpResponse:
    try:
        period, _scope, data = _public_data(request)
    except DomainError as exc:
        return _error_json(exc)
    response = HttpResponse(render_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistik-{period.start}-{period.end}.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- staff dashboard -------------------------------------------------------------------------------


def _dashboard_access(request: HttpRequest) -> str | None:
    """None for full access; an agency code for OPD staff (their own OPD only); raises otherwise."""
    user = request.user
    role = getattr(user, "role", None)
    agency_id = getattr(user, "agency_id", None)
    if role in FULL_DASHBOARD_ROLES:
        return None
    if role in AGENCY_ROLES and agency_id:
        return str(Agency.objects.values_list("code", flat=True).get(pk=agency_id))
    raise PermissionDenied(_("Dasbor statistik hanya untuk admin koordinator, pimpinan dan admin OPD."))


def _login_redirect(request: HttpRequest) -> HttpResponse:
    try:
        login_url = reverse("console:login")
    except NoReverseMatch:
        login_url = "/django-admin/login/"
    return redirect_to_login(request.get_full_path(), login_url)


@require_GET
@replica_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login_redirect(request)
    try:
        agency = _dashboard_access(request)
    except PermissionDenied as exc:
        return render(request, "evaluation/forbidden.html", {"message": exc.message}, status=403)
    error = None
    try:
        period, scope = _period_and_scope(request, forced_agency=agency)
    except DomainError as exc:
        error = exc.message
        period = Period.year(clock.local_today().year)
        scope = Scope("agency", agency) if agency else KABUPATEN
    data = evaluation_for(period, scope)
    context = _page_context(request, period, scope, data, drill=True)
    context.update(
        {
            "error": error,
            "forced_agency": agency,
            "archived": archived_reports(
                period,
                scope,
                actor=actor_for_user(request.user),
                limit=ARCHIVED_ON_PAGE,
            ),
            "archived_link": _console_list_url({**_drill_base(period, scope), "outcome": "archived"}),
            "download_query": _query(period, scope),
        }
    )
    return render(request, "evaluation/dashboard.html", context)


@require_GET
@replica_reads
def dashboard_download(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login_redirect(request)
    try:
        agency = _dashboard_access(request)
        period, scope = _period_and_scope(request, forced_agency=agency)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
    data = evaluation_for(period, scope)
    actor = actor_for_user(request.user)
    fmt = request.GET.get("format", "pdf")
    name = f"laporan-evaluasi-{period.start}-{period.end}"
    if fmt == "xlsx":
        content = render_xlsx(data, period, scope, actor=actor)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "json":
        content, content_type = render_json(data), "application/json; charset=utf-8"
    elif fmt == "pdf":
        content, content_type = render_pdf(data, period, scope, actor=actor), "application/pdf"
    else:
        return HttpResponse("format: pdf, xlsx or json", status=400, content_type="text/plain")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- shared page context ------------------------------------------------------------------------------


def _page_context(
    request: HttpRequest, period: Period, scope: Scope, data: dict[str, Any], *, drill: bool
) -> dict[str, Any]:
    """Charts and tables for the templates; with `drill`, every count links to the console list."""
    drill_base = _drill_base(period, scope)

    def link(**filters: str) -> str | None:
        if not drill:
            return None
        return _console_list_url({**drill_base, **filters})

    def month_link(key: str) -> str | None:
        month = Period.month(int(key[:4]), int(key[5:7]))
        return link(
            date_from=max(month.start, period.start).isoformat(),
            date_to=min(month.end, period.end).isoformat(),
        )

    def section(key: str, title: str, rows: list[tuple[str, int, str | None]]) -> dict[str, Any]:
        # Bars are drawn on the server (SVG, widths relative to the largest count of the section).
        return {
            "key": key,
            "title": title,
            "rows": rows,
            "max": max((r[1] or 0 for r in rows), default=0) or 1,
        }

    sections = [
        section(
            "bulan",
            _("Laporan per bulan"),
            [(_month_label(m), n, month_link(m)) for m, n in data["by_month"].items()],
        ),
        section(
            "kanal",
            _("Kanal"),
            [(_(CHANNEL_LABELS[c]), n, link(channel=c)) for c, n in data["by_channel"].items()],
        ),
        section(
            "klasifikasi",
            _("Klasifikasi"),
            [
                (_(CLASSIFICATION_LABELS[c]), n, link(classification=c))
                for c, n in data["by_classification"].items()
            ],
        ),
        section(
            "status",
            _("Status saat ini"),
            [(_(STATUS_LABELS[c]), n, link(status=c)) for c, n in data["by_status"].items()],
        ),
        section(
            "hasil",
            _("Hasil penanganan"),
            [(_(OUTCOME_LABELS[c]), data["by_outcome"][c], link(outcome=c)) for c in OUTCOME_LABELS],
        ),
        section(
            "arsip",
            _("Diarsipkan menurut alasan"),
            [
                (_(REASON_LABELS[c]), n, link(archive_reason=c))
                for c, n in data["by_outcome"]["archived_by_reason"].items()
            ],
        ),
        section(
            "kategori",
            _("Kategori"),
            [
                (e["name"], e["count"], link(category=c))
                for c, e in data["by_category"].items()
                if e["count"] != 0  # 38 national topics: the page lists those with reports
            ],
        ),
        section(
            "subkategori",
            _("Subkategori"),
            sorted(
                [
                    (s["name"], s["count"], link(subcategory=c))
                    for e in data["by_category"].values()
                    for c, s in e["sub"].items()
                ],
                key=lambda r: -(r[1] or 0),  # a withheld public count is None
            )[:20],
        ),
        section(
            "kecamatan",
            _("Kecamatan (berurutan)"),
            [(e["name"], e["count"], link(kecamatan=c)) for c, e in data["by_kecamatan"].items()],
        ),
        section(
            "opd",
            _("OPD penanggung jawab"),
            [(e["name"], e["count"], link(agency=c)) for c, e in data["by_agency"].items()],
        ),
        section(
            "penilaian",
            _("Penilaian pelapor"),
            [(f"{s} ★", n, link(rating=s)) for s, n in data["ratings"]["distribution"].items()],
        ),
    ]
    # The n of each time: the reports that reached that step (facts t_verify, t_follow_up, t_completion).
    reached = {"verify": "verified", "first_follow_up": "followed_up", "completion": "completed"}
    times = [
        {
            "label": _(TIME_LABELS[key]),
            "all": value,
            "link": link(outcome=reached[key]),
            "by": [
                (_(CLASSIFICATION_LABELS[c]), v, link(outcome=reached[key], classification=c))
                for c, v in value["by_classification"].items()
            ],
        }
        for key, value in data["times_working_days"].items()
    ]
    verification = data["within_deadline"]["verification"]
    deadlines = [
        {
            "label": _("Verifikasi dan disposisi"),
            **verification,
            "within_link": link(deadline="verification_within"),
            "late_link": link(deadline="verification_late"),
        }
    ] + [
        {
            "label": _("Tindak lanjut: %(classification)s") % {"classification": _(CLASSIFICATION_LABELS[c])},
            **v,
            "within_link": link(deadline="follow_up_within", classification=c),
            "late_link": link(deadline="follow_up_late", classification=c),
        }
        for c, v in data["within_deadline"]["follow_up"].items()
    ]
    league = [
        {
            **row,
            "link": link(agency=row["code"]),
            "followed_up_link": link(agency=row["code"], outcome="followed_up"),
            "completed_link": link(agency=row["code"], outcome="completed"),
            "returns_link": link(returned_by=row["code"]),
            "band_wording": _band_wording(row["band"]),
        }
        for row in data["league"]
    ]
    kpi_links = {
        key: link(outcome=key)
        for key in ("followed_up", "completed", "closed_by_system", "archived", "duplicates", "reopened")
    }
    kpi_links["rated"] = link(rating="any")
    kpi_links["overdue"] = link(overdue="1")
    return {
        "data": data,
        "period": period,
        "scope": scope,
        "summary": _page_summary(data, period),
        "sections": sections,
        "times": times,
        "deadlines": deadlines,
        "league": league,
        "resolution_band": _band_wording(data["resolution"]["band"]["code"]),
        "years": _years(),
        "months": list(MONTHS.items()),
        "period_label": period_label(period),
        "agencies": Agency.objects.filter(is_active=True)
        .exclude(kind=Agency.Kind.GOVERNMENT)
        .order_by("name"),
        "kecamatan_list": Region.objects.filter(level=Region.Level.KECAMATAN, parent_id=_home()).order_by(
            "name"
        ),
        "params": {k: request.GET.get(k, "") for k in (*PERIOD_KEYS, "scope", "agency", "kecamatan")},
        "total_link": link(),
        "kpi_links": kpi_links,
        "query": _query(period, scope),
    }


def _band_wording(code: str | None) -> str:
    """A national band in the page's words (the PDF shows its percentage label)."""
    return _(BANDS[code].wording) if code and code in BANDS else "–"


def _page_summary(data: dict[str, Any], period: Period) -> str:
    """The seed-style Indonesian paragraph (`text.summary`, as in the Laporan Evaluasi), or the
    same figures in a plain sentence of the page's language when that is not Indonesian."""
    if (get_language() or "id").startswith("id"):
        return summary(data)
    outcome = data["by_outcome"]
    return _(
        "%(total)s laporan diterima pada %(period)s: %(followed_up)s ditindaklanjuti, %(completed)s selesai, "
        "%(archived)s diarsipkan, %(open)s masih dalam proses."
    ) % {
        "total": count(data["total"]),
        "period": period_label(period),
        "followed_up": count(outcome["followed_up"]),
        "completed": count(outcome["completed"]),
        "archived": count(outcome["archived"]),
        "open": count(outcome["open"]),
    }


def period_label(period: Period) -> str:
    """The period in the page's language (the data's own `label` stays Indonesian, as the JSON
    schema fixes it): "Tahun 2022" / "Year 2022", month names from Django's catalogue."""
    start, end = period.start, period.end
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start.year == end.year:
        if start.month == 1 and end.month == 12:
            return _("Tahun %(year)d") % {"year": start.year}
        if start.month == end.month:
            return f"{MONTHS[start.month]} {start.year}"
        if start.month % 3 == 1 and end.month == start.month + 2:
            return _("Triwulan %(quarter)d %(year)d") % {
                "quarter": (start.month + 2) // 3,
                "year": start.year,
            }
    return _("%(start)s s.d. %(end)s") % {
        "start": date_format(start, "j M Y"),
        "end": date_format(end, "j M Y"),
    }


def _month_label(key: str) -> str:
    """'2022-03' → 'Mar 2022' in the page's language."""
    return date_format(dt.date(int(key[:4]), int(key[5:7]), 1), "M Y")


def _drill_base(period: Period, scope: Scope) -> dict[str, str]:
    """The console filters (aduan.evaluation.drilldown) of a period and scope."""
    base = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    if scope.kind != "kabupaten":
        base[scope.kind] = scope.code
    return base


def _console_list_url(filters: dict[str, str]) -> str:
    return reverse("console:queue", kwargs={"key": "semua"}) + "?" + urlencode(filters)


def _home() -> str:
    from django.conf import settings

    return str(settings.ADUAN_HOME_REGION)
