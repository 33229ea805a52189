"""The coordinator's switch on the report page: show a photo on the public pages, or stop."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aduan.console.access import console_actor, domain_error_response, staff_required
from aduan.core.errors import DomainError
from aduan.workflow.photos import attachment_public_set
from aduan.workflow.selectors import report_get_for


@staff_required
@require_POST
def attachment_public(request: HttpRequest, tracking_number: str, pk: int) -> HttpResponse:
    """Mark one of the report's photos public (`public=1`) or not; audited by the service."""
    actor = console_actor(request)
    public = request.POST.get("public") == "1"
    try:
        report = report_get_for(actor, tracking_number=tracking_number)
        attachment_public_set(actor=actor, report_id=report.pk, attachment_id=pk, public=public)
    except DomainError as error:
        return domain_error_response(request, error)
    messages.success(
        request,
        _("Foto ditampilkan di halaman publik laporan.")
        if public
        else _("Foto tidak lagi ditampilkan di halaman publik."),
    )
    return redirect("console:report", tracking_number=report.tracking_number)
