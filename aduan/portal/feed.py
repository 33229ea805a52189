"""The public feed: verified, non-confidential reports, with no reporter data at all."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aduan.core import paging
from aduan.core.dbrouter import replica_reads
from aduan.core.errors import DomainError
from aduan.core.http import attachment_response
from aduan.core.paging import CappedPaginator
from aduan.directory.geo import map_config
from aduan.directory.selectors import category_subtree_q
from aduan.intake.models import Report, Status
from aduan.intake.services import report_support_add
from aduan.portal import conf
from aduan.portal.access import device_token, set_device_cookie, supporter_id
from aduan.portal.forms import category_choices, kecamatan_choices
from aduan.portal.presenters import location_label, status_badge, timeline
from aduan.workflow.selectors import (
    PUBLIC_STATUSES,
    location_for,
    photo_public_get,
    photos_public_prefetch,
    public_events,
    public_follow_ups,
    reports_nearby,
    reports_public,
)

SESSION_SUPPORTED = "portal_supported"


@replica_reads
def feed(request: HttpRequest) -> HttpResponse:
    reports = (
        reports_public()
        .select_related("category", "category__parent", "kecamatan", "desa")
        .prefetch_related(photos_public_prefetch())
    )
    category = request.GET.get("kategori", "")
    kecamatan = request.GET.get("kecamatan", "")
    status = request.GET.get("status", "")
    if category:
        reports = reports.filter(category_subtree_q([category]))
    if kecamatan:
        reports = reports.filter(kecamatan_id=kecamatan)
    if status in PUBLIC_STATUSES:
        reports = reports.filter(status=status)
    page = CappedPaginator(
        reports.order_by("-submitted_at", "-pk"), conf.FEED_PAGE_SIZE, cap=paging.LIST_CAP
    ).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    context = {
        "page": page,
        "rows": [(r, status_badge(r.status), location_label(r)) for r in page.object_list],
        "categories": category_choices(citizen_only=False),
        "kecamatans": kecamatan_choices(),
        "statuses": [(s.value, s.label) for s in Status if s in PUBLIC_STATUSES],
        "selected": {"kategori": category, "kecamatan": kecamatan, "status": status},
        "query": query.urlencode(),
        "nav": "feed",
    }
    return render(request, "portal/feed.html", context)


@replica_reads
def public_map(request: HttpRequest) -> HttpResponse:
    """ "/peta/": public reports with a point on a map; an anonymous report at its ~500 m grid cell
    (location_for(None, ...)), never its pin. Without JavaScript the same reports are a list."""
    reports = (
        reports_public()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .select_related("kecamatan", "desa")
        .order_by("-submitted_at", "-pk")[: conf.MAP_REPORTS]
    )
    points = []
    for report in reports:
        place = location_for(None, report)
        points.append(
            place.map_point(
                title=report.display_title,
                url=reverse("portal:public_report", args=[report.tracking_number]),
                note=f"{Status(report.status).label} · {location_label(report)}",
            )
        )
    context = {"points": points, "map": map_config(), "nav": "map"}
    return render(request, "portal/map.html", context)


def nearby(request: HttpRequest) -> HttpResponse:
    """The report form's "already reported nearby?" list (a fragment, fetched once the citizen has
    given a place): open public reports in the desa or near the pin, the chosen topic first."""
    reports = reports_nearby(
        desa=request.GET.get("desa", ""),
        latitude=_number(request.GET.get("lat", "")),
        longitude=_number(request.GET.get("lon", "")),
        category=request.GET.get("kategori", ""),
    )
    rows = [(r, status_badge(r.status), location_label(r)) for r in reports]
    return render(request, "portal/_nearby.html", {"rows": rows})


def _number(value: str) -> float | None:
    """A query value as a number, or None (reports_nearby ignores a point that is not two finite ones)."""
    try:
        return float(value)
    except ValueError:
        return None


def _public_report(tracking_number: str) -> Report:
    report = (
        reports_public()
        .select_related("category", "kecamatan", "desa")
        .filter(tracking_number=tracking_number)
        .first()
    )
    if report is None:
        raise Http404(_("Laporan tidak ditemukan atau tidak terbuka untuk publik."))
    return report


def public_report(request: HttpRequest, tracking_number: str) -> HttpResponse:
    report = _public_report(tracking_number)
    # Loaded through reports_public() already: only the photo marks are left to check.
    prefetch_related_objects([report], photos_public_prefetch())
    follow_ups = public_follow_ups(report)
    context = {
        "report": report,
        "badge": status_badge(report.status),
        "location": location_label(report),
        "timeline": timeline(public_events(report), for_owner=False),
        "follow_ups": list(follow_ups),
        "photos": report.public_photos,  # type: ignore[attr-defined]  # photos_public_prefetch
        "supported": report.pk in request.session.get(SESSION_SUPPORTED, []),
        "nav": "feed",
    }
    return render(request, "portal/public_report.html", context)


def public_photo(
    request: HttpRequest, tracking_number: str, pk: int, thumbnail: bool = False
) -> HttpResponseBase:
    """A photo the coordinator marked public (or its thumbnail), cached for a year: a stored file
    never changes under its URL. Any other photo is a 404, whatever its number."""
    photo = photo_public_get(tracking_number, pk)
    if photo is None:
        raise Http404(_("Foto tidak ditemukan."))
    return attachment_response(photo, shown_name=photo.name, thumbnail=thumbnail, public=True)


@require_POST
def support(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """ "Saya juga mengalami": once per citizen account or device (a long-lived random cookie)."""
    report = _public_report(tracking_number)
    token, new = device_token(request)
    try:
        report_support_add(report_id=report.pk, supporter=supporter_id(request, token))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        supported = [pk for pk in request.session.get(SESSION_SUPPORTED, []) if pk != report.pk]
        request.session[SESSION_SUPPORTED] = [report.pk, *supported][:200]
        messages.success(
            request, _("Terima kasih. Dukungan Anda tercatat (satu kali per akun atau perangkat).")
        )
    response = redirect("portal:public_report", tracking_number=report.tracking_number)
    if new:
        set_device_cookie(response, token, secure=settings.SECURE_COOKIES)
    return response
