"""Statistics pages: the public page and open data at /statistik/, the staff dashboard at
/statistik/dasbor/. Views only adapt: figures come from `stats.evaluation`, documents from
`documents`; no view writes anything."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aduan.core import clock
from aduan.core.actors import actor_for_user
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
    month_label,
    render_csv,
    render_json,
    render_pdf,
    render_xlsx,
)
from aduan.evaluation.stats import KABUPATEN, MONTHS_ID, NO_AGENCY, Period, Scope, evaluation_for
from aduan.evaluation.text import nice_name, summary
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


def _query(period: Period, scope: Scope, **extra: str) -> str:
    params: dict[str, str] = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    if scope.kind != "kabupaten":
        params["scope"] = scope.kind
        params[scope.kind] = scope.code
    params.update(extra)
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
            "archived_link": "/konsol/?" + _query(period, scope, status="diarsipkan"),
            "download_query": _query(period, scope),
        }
    )
    return render(request, "evaluation/dashboard.html", context)


@require_GET
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
    base = _query(period, scope)

    def link(**filters: str) -> str | None:
        if not drill:
            return None
        return "/konsol/?" + base + "&" + urlencode(filters)

    def section(key: str, title: str, chart: str, rows: list[tuple[str, int, str | None]]) -> dict[str, Any]:
        return {"key": key, "title": title, "chart": chart, "rows": rows}

    outcome_filters = {"archived": {"status": "diarsipkan"}, "completed": {"status": "selesai"}}
    sections = [
        section(
            "bulan",
            _("Laporan per bulan"),
            "line",
            [(month_label(m), n, None) for m, n in data["by_month"].items()],
        ),
        section(
            "kanal",
            _("Kanal"),
            "bar",
            [(CHANNEL_LABELS[c], n, link(channel=c)) for c, n in data["by_channel"].items()],
        ),
        section(
            "klasifikasi",
            _("Klasifikasi"),
            "doughnut",
            [
                (CLASSIFICATION_LABELS[c], n, link(classification=c))
                for c, n in data["by_classification"].items()
            ],
        ),
        section(
            "status",
            _("Status saat ini"),
            "bar",
            [(STATUS_LABELS[c], n, link(status=c)) for c, n in data["by_status"].items()],
        ),
        section(
            "hasil",
            _("Hasil penanganan"),
            "bar",
            [
                (
                    OUTCOME_LABELS[c],
                    data["by_outcome"][c],
                    link(**outcome_filters[c]) if c in outcome_filters else None,
                )
                for c in OUTCOME_LABELS
            ],
        ),
        section(
            "arsip",
            _("Diarsipkan menurut alasan"),
            "doughnut",
            [
                (REASON_LABELS[c], n, link(status="diarsipkan"))
                for c, n in data["by_outcome"]["archived_by_reason"].items()
            ],
        ),
        section(
            "kategori",
            _("Kategori"),
            "bar",
            [
                (nice_name(e["name"]), e["count"], link(category=c) if c != "tanpa_kategori" else None)
                for c, e in data["by_category"].items()
            ],
        ),
        section(
            "subkategori",
            _("Subkategori"),
            "bar",
            sorted(
                [
                    (nice_name(s["name"]), s["count"], link(category=c))
                    for e in data["by_category"].values()
                    for c, s in e["sub"].items()
                ],
                key=lambda r: -(r[1] or 0),  # a withheld public count is None
            )[:20],
        ),
        section(
            "kecamatan",
            _("Kecamatan (berurutan)"),
            "bar",
            [
                (e["name"], e["count"], link(kecamatan=c) if c != "tanpa_lokasi" else None)
                for c, e in data["by_kecamatan"].items()
            ],
        ),
        section(
            "opd",
            _("OPD penanggung jawab"),
            "bar",
            [
                (e["name"], e["count"], link(agency=c) if c != NO_AGENCY else None)
                for c, e in data["by_agency"].items()
            ],
        ),
        section(
            "penilaian",
            _("Penilaian pelapor"),
            "bar",
            [(f"{s} ★", n, None) for s, n in data["ratings"]["distribution"].items()],
        ),
    ]
    charts = [
        {
            "key": s["key"],
            "title": str(s["title"]),
            "type": s["chart"],
            "labels": [r[0] for r in s["rows"]],
            "values": [r[1] for r in s["rows"]],
        }
        for s in sections
    ]
    times = [
        {
            "label": TIME_LABELS[key],
            "all": value,
            "by": [(CLASSIFICATION_LABELS[c], v) for c, v in value["by_classification"].items()],
        }
        for key, value in data["times_working_days"].items()
    ]
    deadlines = [
        {"label": CLASSIFICATION_LABELS[c], **v} for c, v in data["within_deadline"]["follow_up"].items()
    ]
    league = [{**row, "link": link(agency=row["code"])} for row in data["league"]]
    return {
        "data": data,
        "period": period,
        "scope": scope,
        "summary": summary(data),
        "sections": sections,
        "charts_json": charts,
        "times": times,
        "deadlines": deadlines,
        "league": league,
        "years": _years(),
        "months": list(enumerate(MONTHS_ID, start=1)),
        "agencies": Agency.objects.filter(is_active=True)
        .exclude(kind=Agency.Kind.GOVERNMENT)
        .order_by("name"),
        "kecamatan_list": Region.objects.filter(level=Region.Level.KECAMATAN, parent_id=_home()).order_by(
            "name"
        ),
        "params": {k: request.GET.get(k, "") for k in (*PERIOD_KEYS, "scope", "agency", "kecamatan")},
        "total_link": link(),
        "query": _query(period, scope),
    }


def _home() -> str:
    from django.conf import settings

    return str(settings.ADUAN_HOME_REGION)
