"""The public feed: verified, non-confidential reports, with no reporter data at all."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aduan.core.errors import DomainError
from aduan.core.http import attachment_response
from aduan.core.paging import CappedPaginator
from aduan.intake.models import Report, Status
from aduan.intake.services import report_support_add
from aduan.portal import conf
from aduan.portal.access import device_token, set_device_cookie, supporter_id
from aduan.portal.forms import category_choices, kecamatan_choices
from aduan.portal.presenters import location_label, status_badge, timeline
from aduan.workflow.selectors import (
    PUBLIC_STATUSES,
    attachments_public,
    public_events,
    public_follow_ups,
    public_photos_prefetch,
    reports_public,
)

SESSION_SUPPORTED = "portal_supported"


def feed(request: HttpRequest) -> HttpResponse:
    reports = reports_public().select_related("category", "category__parent", "kecamatan", "desa")
    category = request.GET.get("kategori", "")
    kecamatan = request.GET.get("kecamatan", "")
    status = request.GET.get("status", "")
    if category:
        reports = reports.filter(
            Q(category__code=category)
            | Q(category__parent__code=category)
            | Q(category__parent__parent__code=category)
        )
    if kecamatan:
        reports = reports.filter(kecamatan_id=kecamatan)
    if status in PUBLIC_STATUSES:
        reports = reports.filter(status=status)
    reports = reports.prefetch_related(public_photos_prefetch())
    page = CappedPaginator(reports.order_by("-submitted_at", "-pk"), conf.FEED_PAGE_SIZE).get_page(
        request.GET.get("halaman")
    )
    query = request.GET.copy()
    query.pop("halaman", None)
    context = {
        "page": page,
        "rows": [(r, status_badge(r.status), location_label(r)) for r in page.object_list],
        "categories": category_choices(),
        "kecamatans": kecamatan_choices(),
        "statuses": [(s.value, s.label) for s in Status if s in PUBLIC_STATUSES],
        "selected": {"kategori": category, "kecamatan": kecamatan, "status": status},
        "query": query.urlencode(),
        "nav": "feed",
    }
    return render(request, "portal/feed.html", context)


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


@require_GET
def public_photo(request: HttpRequest, tracking_number: str, pk: int) -> HttpResponseBase:
    """The thumbnail of a photo the coordinator marked public, cached for a year by anyone: its
    bytes never change under this URL (hiding it again answers 404 from then on)."""
    item = attachments_public(_public_report(tracking_number)).filter(pk=pk).first()
    if item is None:
        raise Http404(_("Foto tidak ditemukan."))
    return attachment_response(item, shown_name=item.name, thumbnail=True, public=True)


def public_report(request: HttpRequest, tracking_number: str) -> HttpResponse:
    report = _public_report(tracking_number)
    follow_ups = public_follow_ups(report)
    context = {
        "report": report,
        "badge": status_badge(report.status),
        "location": location_label(report),
        "timeline": timeline(public_events(report), for_owner=False),
        "follow_ups": list(follow_ups),
        "photos": attachments_public(report),
        "supported": report.pk in request.session.get(SESSION_SUPPORTED, []),
        "nav": "feed",
    }
    return render(request, "portal/public_report.html", context)


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
