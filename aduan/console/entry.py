"""Staff entry of a complaint received on paper, by phone or at the desk (channel `staff`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aduan.console import actions as console_actions
from aduan.console.access import console_actor, coordinator_required, staff_required
from aduan.console.views import home_region, nav_context
from aduan.core.errors import DomainError, InvalidInput
from aduan.directory.models import Category, Region
from aduan.intake.models import Channel, Kind
from aduan.intake.services import report_submit_with_files
from aduan.intake.uploads import attachment_files_guard, uploads_check
from aduan.notifications.services import notify_submitted

STAFF_CHANNEL_DETAILS = [
    ("surat", gettext_lazy("Surat")),
    ("telepon", gettext_lazy("Telepon")),
    ("datang langsung", gettext_lazy("Datang langsung")),
    ("media sosial", gettext_lazy("Media sosial")),
    ("lainnya", gettext_lazy("Lainnya")),
]


@staff_required
@coordinator_required(gettext_lazy("Hanya admin koordinator yang dapat memasukkan laporan."))
def report_new(request: HttpRequest) -> HttpResponse:
    """The coordinator enters a complaint received on paper, by phone or at the desk (channel staff)."""
    actor = console_actor(request)
    error: DomainError | None = None
    values: dict[str, Any] = {"kind": Kind.PENGADUAN, "channel_detail": "surat"}
    if request.method == "POST":
        post = request.POST
        values = {k: post.get(k, "") for k in post if k != "csrfmiddlewaretoken"}
        values["anonymous"] = "anonymous" in post
        values["confidential"] = "confidential" in post
        try:
            # Checked, decoded and re-encoded before the transaction: no image work while holding locks.
            files = uploads_check(request.FILES.getlist("attachments"))
            with attachment_files_guard() as stored, transaction.atomic():
                submitted = report_submit_with_files(
                    actor=actor,
                    files=files,
                    stored=stored,
                    channel=Channel.STAFF,
                    channel_detail=post.get("channel_detail", ""),
                    kind=post.get("kind", ""),
                    title=post.get("title", ""),
                    description=post.get("description", ""),
                    region=console_actions.region_from(post) or None,
                    category=console_actions.category_from(post) or None,
                    address=post.get("address", ""),
                    incident_date=_date_or_none(post.get("incident_date")),
                    name=post.get("name", ""),
                    phone=post.get("phone", ""),
                    email=post.get("email", ""),
                    nik=post.get("nik", ""),
                    anonymous="anonymous" in post,
                    confidential="confidential" in post,
                )
                # Like every other channel: the number and code also reach the phone/email given.
                notify_submitted(submitted.report, submitted.access_code)
        except DomainError as exc:
            error = exc  # the transaction rolled back, and the guard removed its files
        else:
            messages.success(
                request,
                _(
                    "Laporan %(number)s tercatat. Kode akses pelapor: %(code)s — sampaikan kepada pelapor sekarang; kode ini tidak dapat ditampilkan lagi."
                )
                % {"number": submitted.report.tracking_number, "code": submitted.access_code},
            )
            return redirect("console:report", tracking_number=submitted.report.tracking_number)
    context = {
        **nav_context(actor, ""),
        "values": values,
        "error": error,
        "kinds": Kind.choices,
        "channel_details": STAFF_CHANNEL_DETAILS,
        "top_categories": Category.objects.filter(parent__isnull=True, is_active=True).order_by("name"),
        "sub_categories": Category.objects.filter(
            parent__code=values.get("category_top"), is_active=True
        ).order_by("position", "name")
        if values.get("category_top")
        else [],
        "kecamatan_list": Region.objects.filter(
            parent_id=home_region(), level=Region.Level.KECAMATAN
        ).order_by("name"),
        "desa_list": Region.objects.filter(parent_id=values.get("region_kecamatan")).order_by("name")
        if values.get("region_kecamatan")
        else [],
    }
    return render(request, "console/report_new.html", context, status=error.http_status if error else 200)


def _date_or_none(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("Tanggal kejadian tidak valid."), code="invalid_incident_date", field="incident_date"
        ) from None
