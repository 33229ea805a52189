"""Settings officers need, as console pages (the Django admin stays for administrators): the topic
list citizens pick from and the calendar corrections. Coordinator only; writes go through the
directory and sla services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from aduan.console.access import console_actor, coordinator_required, staff_required
from aduan.console.views import nav_context
from aduan.core import clock
from aduan.core.errors import DomainError, InvalidInput
from aduan.directory.models import Category
from aduan.directory.services import citizen_topics_set
from aduan.sla.models import CalendarDay
from aduan.sla.services import calendar_day_delete, calendar_day_set


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    return {**nav_context(console_actor(request), ""), **extra}


# Settings are the coordinator's; named once, translated when a request is refused.
coordinator_only = coordinator_required(gettext_lazy("Pengaturan hanya untuk admin koordinator."))


@staff_required
@require_GET
@coordinator_only
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "console/settings.html", _context(request))


@staff_required
@require_http_methods(["GET", "POST"])
@coordinator_only
def topics(request: HttpRequest) -> HttpResponse:
    """Which national top-level topics citizens see on the report form (staff see them all)."""
    error = None
    if request.method == "POST":
        try:
            n = citizen_topics_set(codes=request.POST.getlist("topic"))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Daftar topik untuk warga disimpan: %(n)d topik.") % {"n": n})
            return redirect("console:settings_topics")
    tops = Category.objects.filter(parent__isnull=True, is_active=True).order_by("position", "name")
    return render(
        request,
        "console/settings_topics.html",
        _context(request, topics=tops, error=error),
        status=400 if error else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
@coordinator_only
def calendar(request: HttpRequest) -> HttpResponse:
    """Corrections to the national calendar: regional holidays, moved holidays, extra working days."""
    error = None
    values = {"date": "", "name": "", "is_working_day": False}
    if request.method == "POST":
        try:
            date = _date(request.POST.get("date", ""))
            if "delete" in request.POST:
                calendar_day_delete(date=date)
                messages.success(request, _("Koreksi tanggal %(date)s dihapus.") % {"date": date})
            else:
                calendar_day_set(
                    date=date,
                    name=request.POST.get("name", ""),
                    is_working_day="is_working_day" in request.POST,
                )
                messages.success(request, _("Koreksi tanggal %(date)s disimpan.") % {"date": date})
            return redirect("console:settings_calendar")
        except DomainError as exc:
            error = exc.message
        values = {
            "date": request.POST.get("date", ""),
            "name": request.POST.get("name", ""),
            "is_working_day": "is_working_day" in request.POST,
        }
    days = CalendarDay.objects.filter(date__gte=clock.local_today() - dt.timedelta(days=366))
    return render(
        request,
        "console/settings_calendar.html",
        _context(request, days=days, error=error, values=values),
        status=400 if error else 200,
    )


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("Tanggal tidak valid; gunakan format TTTT-BB-HH."), code="invalid_date", field="date"
        ) from None
