"""The tracking page: prove ownership once with the access code, then follow and answer."""

from __future__ import annotations

import logging
import time
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aduan.core.actors import citizen_with_access
from aduan.core.clients import client_ip
from aduan.core.errors import DomainError
from aduan.core.http import attachment_response
from aduan.core.roles import Role
from aduan.intake.models import Report, Status
from aduan.notifications.recipients import report_contacts_opted_out, report_news_set
from aduan.portal import conf
from aduan.portal.access import (
    citizen_actor,
    citizen_user,
    recover_blocked,
    recover_counted,
    recover_ip_blocked,
    recover_ip_counted,
    remember_report,
    track_blocked,
    track_failed,
)
from aduan.portal.forms import RecoverForm, TrackForm
from aduan.portal.presenters import location_label, state_explanation, status_badge, timeline
from aduan.workflow.models import Rating
from aduan.workflow.recovery import access_code_recover, contact_normalize
from aduan.workflow.selectors import (
    attachment_get_for,
    attachments_prefetch,
    attachments_visible_to,
    follow_ups_for,
    forwarding_active,
    report_events_for,
    report_get_for,
    reports_public,
    reports_visible_to,
)
from aduan.workflow.services import report_act
from aduan.workflow.transitions import allowed_actions

logger = logging.getLogger(__name__)

# The citizen's actions this page offers, with the form fields each one takes.
CITIZEN_ACTIONS: dict[str, tuple[str, ...]] = {
    "resume": ("answer",),
    "reply": ("text",),
    "rate": ("score", "comment"),
    "complete": ("note",),
    "reopen": ("reason",),
}


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Tracking number + access code (POST, limited per IP), and the reports already proven."""
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and track_blocked(request, form.cleaned_data["tracking_number"]):
            _too_many_attempts(form)
            status = 429
        elif form.is_valid():
            number = form.cleaned_data["tracking_number"]
            report = (
                Report.objects.filter(tracking_number=number)
                .only("pk", "access_code_digest", "tracking_number")
                .first()
            )
            # One message for "no such number" and "wrong code": the page must not confirm numbers.
            if report is not None and report.check_access_code(form.cleaned_data["access_code"]):
                request.session.cycle_key()  # a new session id once the visitor holds a proof
                remember_report(request, report.pk)
                return redirect("portal:track_detail", tracking_number=report.tracking_number)
            track_failed(request, number)
            logger.info("tracking code refused for %s from %s", number, client_ip(request))
            form.add_error(
                None, _("Nomor laporan atau kode akses salah. Periksa kembali SMS/email konfirmasi Anda.")
            )
            status = 400
        else:
            status = 400
    actor = citizen_actor(request)
    mine = []
    if actor.report_ids or actor.user is not None:
        mine = list(reports_visible_to(actor).order_by("-submitted_at")[:50])
    return render(
        request,
        "portal/track.html",
        {"form": form, "mine": mine, "nav": "track", "badge": status_badge},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    """ "Lupa kode akses?": one answer whether or not the number and contact match (no oracle),
    limited per IP, per report and per contact, and never faster than RECOVER_MIN_MS."""
    form = RecoverForm(request.POST or None)
    status = 200
    if request.method == "POST":
        started = time.monotonic()
        if recover_ip_blocked(request):
            _too_many_attempts(form)
            status = 429
        elif form.is_valid():
            recover_ip_counted(request)
            number = form.cleaned_data["tracking_number"]
            contact = contact_normalize(form.cleaned_data["contact"]) or form.cleaned_data["contact"].strip()
            # Counted whether or not they match: a spent budget says nothing about the report.
            if recover_blocked(number, contact):
                form.add_error(
                    None,
                    _(
                        "Kode akses baru untuk laporan atau kontak ini sudah diminta berkali-kali. Coba lagi nanti."
                    ),
                )
                status = 429
            else:
                recover_counted(number, contact)
                matched = access_code_recover(tracking_number=number, contact=contact)
                logger.info("access code recovery for %s from %s: %s", number, client_ip(request), matched)
                # The same pace either way: a match writes and queues, a miss does not.
                time.sleep(max(0.0, conf.RECOVER_MIN_MS / 1000 - (time.monotonic() - started)))
                messages.success(
                    request,
                    _(
                        "Bila nomor laporan dan kontak itu cocok dengan data pelapor, kode akses baru sudah "
                        "kami kirim ke sana (kode lama tidak berlaku lagi). Bila tidak ada pesan dalam beberapa "
                        "menit, periksa kembali nomor laporan dan kontak yang Anda berikan saat melapor."
                    ),
                )
                return redirect("portal:track")
        else:
            status = 400
    return render(request, "portal/recover.html", {"form": form, "nav": "track"}, status=status)


def _too_many_attempts(form: forms.Form) -> None:
    form.add_error(None, _("Terlalu banyak percobaan dari perangkat ini. Coba lagi beberapa menit lagi."))


def _report_for(request: HttpRequest, tracking_number: str) -> Report:
    try:
        return report_get_for(citizen_actor(request), tracking_number=tracking_number)
    except DomainError:
        raise Http404(_("Laporan tidak ditemukan atau Anda belum memasukkan kode aksesnya.")) from None


def _detail(
    request: HttpRequest,
    report: Report,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = citizen_actor(request)
    # A report handled at a peer installation: the citizen's choices are those its state there
    # allows, relayed (track_action); the relay's own rules refuse what that state does not.
    forwarding = forwarding_active(report)
    state = (
        Status(forwarding.remote_status) if forwarding and forwarding.remote_status else Status(report.status)
    )
    offered = [a.value for a in allowed_actions(state, Role.CITIZEN) if a.value in CITIZEN_ACTIONS]
    duplicate_of_public = None
    if report.duplicate_of_id:
        duplicate_of_public = (
            reports_public()
            .filter(pk=report.duplicate_of_id)
            .values_list("tracking_number", flat=True)
            .first()
        )
    context: dict[str, Any] = {
        "report": report,
        "badge": status_badge(report.status),
        "location": location_label(report),
        "timeline": timeline(report_events_for(actor, report), for_owner=True),
        "follow_ups": list(
            follow_ups_for(actor, report).prefetch_related(attachments_prefetch(actor, report))
        ),
        "attachments": attachments_visible_to(actor, report).filter(follow_up__isnull=True),
        "offered": offered,
        "last_rating": Rating.objects.filter(report=report).order_by("-created_at", "-pk").first(),
        "explanation": state_explanation(report),
        "has_contact": report.reporter_id is not None
        and bool(report.reporter.phone or report.reporter.email),  # type: ignore[union-attr]
        "news_off": report_contacts_opted_out(report),
        "errors": errors or {},
        "typed": typed or {},
        "duplicate_of_public": duplicate_of_public,
        "nav": "track",
    }
    response = render(request, "portal/track_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def track_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _detail(request, _report_for(request, tracking_number))


@require_GET
def track_attachment(
    request: HttpRequest, tracking_number: str, pk: int, thumbnail: bool = False
) -> HttpResponseBase:
    """A photo or file of the citizen's own report, or of a published follow-up, after the access
    code (never a public media URL; never cached: it may show the citizen)."""
    report = _report_for(request, tracking_number)
    try:
        item = attachment_get_for(citizen_actor(request), report, pk)
    except DomainError:
        raise Http404 from None
    return attachment_response(item, shown_name=item.shown_name, thumbnail=thumbnail)  # type: ignore[attr-defined]


@require_POST
def track_news(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The reporter's switch: news of this report to their phone/e-mail, or none."""
    report = _report_for(request, tracking_number)
    on = request.POST.get("on") == "1"
    report_news_set(report=report, on=on)
    messages.success(
        request,
        _("Kabar perkembangan akan dikirim lagi ke kontak Anda.")
        if on
        else _("Kami tidak akan lagi mengirim kabar perkembangan ke kontak Anda."),
    )
    return redirect("portal:track_detail", tracking_number=report.tracking_number)


@require_POST
def track_action(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    """One citizen action through the lifecycle service; its refusal is shown on the page."""
    report = _report_for(request, tracking_number)
    if action not in CITIZEN_ACTIONS:
        raise Http404()
    typed = {f"{action}_{name}": request.POST.get(name, "") for name in CITIZEN_ACTIONS[action]}
    params = {name: request.POST.get(name, "") for name in CITIZEN_ACTIONS[action]}
    actor = citizen_with_access(report.pk, user=citizen_user(request))
    taken = action
    if report.status == Status.DITERUSKAN:
        # Handled at a peer installation: the same choice, relayed there through the lifecycle.
        params, taken = {**params, "kind": action}, "relay"
    try:
        report_act(actor=actor, report_id=report.pk, action=taken, params=params)
    except DomainError as error:
        report.refresh_from_db()
        return _detail(request, report, errors={action: error.message}, typed=typed, status=error.http_status)
    messages.success(request, _("Terima kasih, tanggapan Anda tercatat."))
    return redirect("portal:track_detail", tracking_number=report.tracking_number)
