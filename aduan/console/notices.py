"""The officer's notices (the bell) and how they want to hear of their work."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from aduan.console.access import console_actor, staff_required
from aduan.console.views import nav_context
from aduan.notifications.models import StaffNotice
from aduan.notifications.recipients import preference, staff_preference_set
from aduan.notifications.selectors import notices_for
from aduan.notifications.services import notices_mark_read


@staff_required
@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        if "read_all" in request.POST:
            notices_mark_read(user=user)  # type: ignore[arg-type]
        else:
            staff_preference_set(
                user=user,  # type: ignore[arg-type]
                by_email="by_email" in request.POST,
                in_console="in_console" in request.POST,
            )
            messages.success(request, _("Preferensi pemberitahuan disimpan."))
        return redirect("console:notices")
    context = {
        **nav_context(console_actor(request), ""),
        "notices": list(notices_for(user)),  # type: ignore[arg-type]
        "preference": preference(user),  # type: ignore[arg-type]
    }
    return render(request, "console/notices.html", context)


@staff_required
@require_GET
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notice's report, marking it read (only the officer's own notices)."""
    notice = get_object_or_404(StaffNotice.objects.select_related("report"), pk=pk, user=request.user)
    notices_mark_read(user=request.user, notice_ids=[notice.pk])  # type: ignore[arg-type]
    if notice.report is None:
        return redirect("console:notices")
    return redirect("console:report", tracking_number=notice.report.tracking_number)
