"""The back-office console: queues, the report page, action forms and bulk verify/dispose.

Thin by design: reads go through `aduan.workflow.selectors` (which enforce access in the query),
every change through `report_act`; a DomainError becomes a form error or an HTTP status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aduan.console import actions as console_actions
from aduan.console import throttle
from aduan.console.access import console_actor, domain_error_response, staff_required
from aduan.console.queues import (
    OPEN,
    deadline_state,
    default_queue,
    filter_choices,
    filter_queue,
    handling_agencies,
    queue_count_reports,
    queue_counts,
    queue_reports,
    queues_for,
)
from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.errors import DomainError
from aduan.core.http import attachment_response
from aduan.core.paging import CappedPaginator
from aduan.core.roles import Role
from aduan.directory.geo import map_config
from aduan.directory.models import Agency, Category, Region
from aduan.directory.services import suggest_lead_agency
from aduan.intake.models import ArchiveReason, Classification, Kind, Report, Status
from aduan.intake.redaction import own_data_of, personal_data_review
from aduan.intake.uploads import (
    attachment_files_guard,
    attachments_store,
    uploads_check,
)
from aduan.notifications.selectors import notices_unread_count, report_deliveries
from aduan.sla.calendar import WorkingCalendar
from aduan.sla.selectors import deadline_state as sla_deadline_state
from aduan.workflow.models import AgencyReturn, Disposition
from aduan.workflow.photos import photo_markable, photos_public_set
from aduan.workflow.selectors import (
    actions_available,
    attachment_get_for,
    attachments_prefetch,
    attachments_visible_to,
    citizen_words_for,
    event_actor_name,
    follow_ups_for,
    forwarding_active,
    location_for,
    report_events_for,
    report_get_for,
    reporter_visible_to,
    reports_visible_to,
)
from aduan.workflow.services import report_act
from aduan.workflow.transitions import Action, event_label

PAGE_SIZE = 25
SIMILAR_DAYS = 90
APIP_CODE_KIND = Agency.Kind.APIP
DEFAULT_CLASSIFICATION = {
    Kind.PENGADUAN: Classification.TIDAK_BERKADAR_PENGAWASAN,
    Kind.ASPIRASI: Classification.ASPIRASI,
    Kind.PERMINTAAN_INFORMASI: Classification.PERMINTAAN_INFORMASI,
}


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if throttle.login_blocked(request, username):
            form = self.get_form()
            form.is_valid()  # bind the input; the password is not checked while blocked
            form.errors.clear()
            context = self.get_context_data(form=form, blocked=throttle.BLOCKED_MESSAGE)
            return render(request, self.template_name, context, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:  # the form came back: wrong username or password
            throttle.login_failed(request, username)
        return response


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    actor = console_actor(request)
    if request.GET:
        # A filtered link (an old dashboard link, a bookmark): every report matching it, filters kept.
        return redirect(reverse("console:queue", kwargs={"key": "semua"}) + "?" + request.GET.urlencode())
    if (
        actor.is_agency_role
        and actor.role != Role.LIAISON_OFFICER
        and queue_reports(actor, "ditanggapi").exists()
    ):
        # A citizen's reply waits for the OPD: open that queue first.
        return redirect("console:queue", key="ditanggapi")
    return redirect("console:queue", key=default_queue(actor))


# --- queues ------------------------------------------------------------------------------------


def _queue_tabs(actor: Actor, current: str) -> dict[str, Any]:
    """The queue tabs with their counts (console/_tabs.html)."""
    counts = queue_counts(actor)
    return {
        "queues": [
            {"key": q.key, "label": q.label, "help": q.help, "count": counts[q.key]}
            for q in queues_for(actor)
        ],
        "current_queue": current,
    }


def nav_context(actor: Actor, current: str) -> dict[str, Any]:
    """What every page on console/layout.html needs: the tabs, the role's links, the bell's count."""
    return {
        "actor": actor,
        **_queue_tabs(actor, current),
        "is_agency": actor.is_agency_role,
        "is_coordinator": actor.role == Role.COORDINATOR,
        "unread_notices": notices_unread_count(actor.user) if actor.user is not None else 0,
    }


QUEUE_RELATED = ("category", "category__parent", "kecamatan", "desa", "lead_agency")


def _filtered_queue(
    actor: Actor, key: str, request: HttpRequest, *, listed_max: int | None = None
) -> tuple[QuerySet[Report], QuerySet[Report] | int, int]:
    """One of the actor's queues narrowed by the filter form (the page and its CSV list the same):
    its reports, their count form (or number), and the cap of a page's count (filter_queue)."""
    if key not in {q.key for q in queues_for(actor)}:
        raise Http404
    reports, counted, cap = filter_queue(
        queue_reports(actor, key), queue_count_reports(actor, key), request.GET, listed_max=listed_max
    )
    return reports.select_related(*QUEUE_RELATED), counted, cap


@staff_required
@require_GET
def queue(request: HttpRequest, key: str) -> HttpResponse:
    actor = console_actor(request)
    reports, counted, cap = _filtered_queue(actor, key, request)
    page = CappedPaginator(reports, PAGE_SIZE, cap=cap, count_from=counted).get_page(request.GET.get("hal"))
    now = clock.now()
    calendar = WorkingCalendar.load()
    rows = [
        {"report": r, "deadline": deadline_state(r, now, calendar), "sla": sla_deadline_state(r, now)}
        for r in page.object_list
    ]
    query = request.GET.copy()
    query.pop("hal", None)
    context = {
        **nav_context(actor, key),
        "map": map_config(),
        "map_points": queue_map_points(actor, page.object_list),
        "queue_label": next(q.label for q in queues_for(actor) if q.key == key),
        "queue_help": next(q.help for q in queues_for(actor) if q.key == key),
        "page": page,
        "rows": rows,
        "filters": request.GET,
        "query_string": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "hal"),
        "more_filters": any(v for k, v in request.GET.items() if k not in ("hal", "q")),
        "bulk": actor.role == Role.COORDINATOR and key == "baru",
        **filter_choices(),
        "classifications": Classification.choices,
        "top_categories": Category.objects.filter(parent__isnull=True, is_active=True).order_by("name"),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "queue-results":
        return render(request, "console/_queue_results.html", context)
    return render(request, "console/queue.html", context)


def queue_map_points(actor: Actor, reports: Iterable[Report]) -> list[dict[str, Any]]:
    """The reports of the page on the queue's map, each where `actor` may see it (location_for: an
    anonymous report at its grid cell for whoever may not know the reporter). No query per row."""
    points = []
    for report in reports:
        place = location_for(actor, report)
        if place.latitude is None or place.longitude is None:
            continue
        points.append(
            place.map_point(
                title=f"{report.tracking_number} · {report.display_title[:60]}",
                url=reverse("console:report", args=[report.tracking_number]),
            )
        )
    return points


CSV_MAX_ROWS = 10_000


class _Echo:
    """A file-like object whose write() returns the line: csv.writer's rows straight to the stream."""

    def write(self, value: str) -> str:
        return value


@staff_required
@require_GET
def queue_csv(request: HttpRequest, key: str) -> StreamingHttpResponse:
    """The filtered queue as CSV for follow-up meetings: no reporter data, only the report's facts.

    Streamed row by row from one database cursor (iterator): memory stays flat up to CSV_MAX_ROWS,
    and the first bytes leave before the last row is read (issue 16)."""
    import csv

    actor = console_actor(request)
    reports = _filtered_queue(actor, key, request, listed_max=CSV_MAX_ROWS)[0].select_related(
        "category__parent__parent"
    )
    now = clock.now()
    calendar = WorkingCalendar.load()
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff"  # Excel opens UTF-8 correctly with a BOM
        yield writer.writerow(
            [
                "nomor",
                "judul",
                "status",
                "jenis",
                "klasifikasi",
                "kategori",
                "kecamatan",
                "opd_utama",
                "kanal",
                "diterima",
                "batas_waktu",
                "terlambat",
            ]
        )
        for r in reports[:CSV_MAX_ROWS].iterator(chunk_size=500):
            yield writer.writerow(
                [
                    r.tracking_number,
                    _csv_safe(r.display_title),
                    r.get_status_display(),
                    r.get_kind_display(),
                    r.get_classification_display() if r.classification else "",
                    r.category.top.name if r.category else "",
                    r.kecamatan.name if r.kecamatan else "",
                    str(r.lead_agency) if r.lead_agency else "",
                    r.get_channel_display(),
                    timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(r.due_at).strftime("%Y-%m-%d") if r.due_at else "",
                    "ya" if deadline_state(r, now, calendar) == "overdue" else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="laporan-{key}-{clock.local_today():%Y%m%d}.csv"'
    return response


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- the report page ---------------------------------------------------------------------------


def _mask_nik(nik: str) -> str:
    return ("•" * (len(nik) - 4) + nik[-4:]) if len(nik) > 4 else nik


def _event_rows(actor: Actor, report: Report, citizen_words: Callable[[str], str]) -> list[dict[str, Any]]:
    rows = []
    status_labels = dict(Status.choices)
    for event in report_events_for(actor, report):
        if event.actor_role == Role.CITIZEN:
            # Never the citizen's account name: an anonymous reporter stays anonymous to OPDs.
            who = _("Pelapor")
        elif name := event_actor_name(event):
            who = name
        else:
            who = str(Role(event.actor_role).label) if event.actor_role in Role.values else event.actor_role
        rows.append(
            {
                "event": event,
                "note": citizen_words(event.note) if event.actor_role == Role.CITIZEN else event.note,
                "label": event_label(event.action),
                "who": who,
                "agency": event.actor_agency,
                "role": Role(event.actor_role).label if event.actor_role in Role.values else "",
                "to_status": status_labels.get(event.to_status, event.to_status),
            }
        )
    return rows


def _similar(actor: Actor, report: Report) -> list[Report]:
    since = clock.now() - dt.timedelta(days=SIMILAR_DAYS)
    similar = reports_visible_to(actor).filter(status__in=OPEN, submitted_at__gte=since).exclude(pk=report.pk)
    if report.kecamatan_id is None:
        return []
    similar = similar.filter(kecamatan_id=report.kecamatan_id, category=report.category)
    return list(similar.select_related("category").order_by("-submitted_at")[:8])


def _form_defaults(actor: Actor, report: Report) -> dict[str, dict[str, Any]]:
    """Initial values of every action form (the POSTed values replace them after an error)."""
    category = report.category
    top = category.top if category else None
    active = list(Disposition.objects.filter(report=report, is_active=True).select_related("agency"))
    lead = next((d.agency for d in active if d.is_lead), None)
    supporting = [d.agency.code for d in active if not d.is_lead]
    if lead is None:
        pending = (
            AgencyReturn.objects.filter(report=report, resolved_at__isnull=True)
            .select_related("proposed_agency")
            .last()
        )
        lead = pending.proposed_agency if pending and pending.proposed_agency else None
    if lead is None:
        lead = suggest_lead_agency(category=category, kecamatan=report.kecamatan)
    if report.classification == Classification.BERKADAR_PENGAWASAN:
        # The service refuses berkadar pengawasan without the APIP: pre-add it.
        for apip in Agency.objects.filter(kind=APIP_CODE_KIND, is_active=True):
            if apip.code not in supporting and (lead is None or lead.code != apip.code):
                supporting.append(apip.code)
    return {
        "verify": {
            "classification": report.classification or DEFAULT_CLASSIFICATION.get(Kind(report.kind), ""),
            "category_top": top.code if top else "",
            "category_sub": category.code if category and category.parent_id else "",
            "region_kecamatan": report.kecamatan_id or "",
            "region_desa": report.desa_id or "",
            "title": report.display_title,
            "text": report.display_text,
            "anonymous": report.is_anonymous,
            "confidential": report.is_confidential,
        },
        "dispose": {"lead": lead.code if lead else "", "supporting": supporting, "instruction": ""},
    }


def _posted_values(action: str, post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {k: post.get(k) for k in post if k != "csrfmiddlewaretoken"}
    values["supporting"] = post.getlist("supporting")
    values["anonymous"] = "anonymous" in post
    values["confidential"] = "confidential" in post
    return values


def _detail_context(
    request: HttpRequest,
    actor: Actor,
    report: Report,
    *,
    error: DomainError | None = None,
    failed_action: str = "",
    post: QueryDict | None = None,
) -> dict[str, Any]:
    offered = [a.value for a in actions_available(actor, report) if a in console_actions.STAFF_FORM_ACTIONS]
    defaults = _form_defaults(actor, report)
    if error is not None and post is not None:
        key = "dispose" if failed_action in (Action.DISPOSE, Action.REDISPOSE) else failed_action
        defaults[key] = {**defaults.get(key, {}), **_posted_values(failed_action, post)}
    verify = defaults["verify"]
    reporter = reporter_visible_to(actor, report)
    # The one place rule: an anonymous report's pin only for whoever may know its reporter.
    location = location_for(actor, report)
    citizen_words = citizen_words_for(actor, report)
    personal_data = None
    if Action.VERIFY.value in offered:
        # The text the coordinator is about to verify, with the reporter's own record matched too.
        review = personal_data_review(
            report.display_title, report.display_text, own_data_of(reporter) if reporter is not None else None
        )
        personal_data = {**review, "applied": False} if review else None
        if personal_data and request.GET.get("samarkan") == "1" and error is None:
            # One click: the masked text goes into the verify form's edited title and text; the
            # verification (report_act) saves it beside the citizen's original, audited.
            verify["title"], verify["text"] = personal_data["masked_title"], personal_data["masked_text"]
            personal_data["applied"] = True
    follow_ups = list(
        follow_ups_for(actor, report)
        .select_related("author", "approved_by")
        .prefetch_related(attachments_prefetch(actor, report))
    )
    for follow_up in follow_ups:
        follow_up.can_publish = console_actions.publishable(actor, follow_up)  # type: ignore[attr-defined]
    top_categories = Category.objects.filter(parent__isnull=True, is_active=True).order_by("name")
    attachments = list(attachments_visible_to(actor, report))  # loaded once: listed, and offered for marking
    photos = [a for a in attachments if photo_markable(a)]
    return {
        **nav_context(actor, ""),
        "report": report,
        "deadline": deadline_state(report),
        "sla": sla_deadline_state(report),
        "reporter": reporter,
        "location": location,
        "map": map_config(),
        "map_points": [location.map_point(title=report.tracking_number, url="#h-text")]
        if location.latitude is not None
        else [],
        "personal_data": personal_data,
        "reporter_nik": _mask_nik(reporter.nik) if reporter and reporter.nik else "",
        "reporter_hidden": report.reporter_id is not None and reporter is None,
        "attachments": [a for a in attachments if a.follow_up_id is None],
        "photos": photos,
        "markable_ids": {photo.pk for photo in photos},  # the report page offers marking for these
        "events": _event_rows(actor, report, citizen_words),
        "dispositions": Disposition.objects.filter(report=report).select_related("agency", "created_by"),
        "my_disposition": Disposition.objects.filter(
            report=report, agency_id=actor.agency_id or 0, is_active=True
        ).first()
        if actor.is_agency_role
        else None,
        "follow_ups": follow_ups,
        "messages_from_citizen": [(m, citizen_words(m.text)) for m in report.citizen_messages.all()],
        "deliveries": report_deliveries(report, show_citizen_address=reporter is not None),
        "returns": AgencyReturn.objects.filter(report=report).select_related("agency", "proposed_agency"),
        "similar": _similar(actor, report) if actor.role in (Role.COORDINATOR, Role.LEADER) else [],
        "offered": offered,
        "can_publish_directly": Action.FOLLOW_UP.value in offered
        and console_actions.can_publish_directly(actor),
        "error": error,
        "failed_action": failed_action,
        "values": defaults,
        "classifications": Classification.choices,
        "top_categories": top_categories,
        "sub_categories": Category.objects.filter(
            parent__code=verify["category_top"], is_active=True
        ).order_by("position", "name")
        if verify["category_top"]
        else [],
        "kecamatan_list": Region.objects.filter(
            parent_id=home_region(), level=Region.Level.KECAMATAN
        ).order_by("name"),
        "desa_list": Region.objects.filter(parent_id=verify["region_kecamatan"]).order_by("name")
        if verify["region_kecamatan"]
        else [],
        "agencies": handling_agencies(),
        "other_agencies": handling_agencies().exclude(pk=actor.agency_id)
        if actor.agency_id
        else handling_agencies(),
        "archive_reasons": [c for c in ArchiveReason.choices if c[0] != ArchiveReason.DUPLICATE],
        "read_only": actor.role == Role.LEADER,
        # Exactly one installation is responsible: a forwarded report names the peer agency.
        "forwarding": forwarding_active(report),
    }


def home_region() -> str:
    from django.conf import settings

    return str(settings.ADUAN_HOME_REGION)


@staff_required
@require_GET
def report_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    actor = console_actor(request)
    try:
        report = report_get_for(actor, tracking_number=tracking_number)
    except DomainError as error:
        return domain_error_response(request, error)
    return render(request, "console/report.html", _detail_context(request, actor, report))


def _apply(actor: Actor, report: Report, action: str, request: HttpRequest) -> None:
    """One action from the report page; follow-up drafts take their attachments in the same transaction."""
    params = console_actions.params_from_post(action, request.POST)
    action, params = console_actions.dispose_or_forward(action, params)
    takes_files = action in (Action.FOLLOW_UP, Action.DRAFT_FOLLOW_UP)
    # Checked, decoded and re-encoded before the transaction: no image work while holding locks.
    files = uploads_check(request.FILES.getlist("attachments") if takes_files else [])
    with attachment_files_guard() as stored, transaction.atomic():
        if action == Action.FOLLOW_UP and files and not params.get("follow_up_id"):
            # Publishing a new text with files: draft it, attach, publish, all or nothing.
            event = report_act(
                actor=actor,
                report_id=report.pk,
                action=Action.DRAFT_FOLLOW_UP,
                params={"text": params["text"], "public": True},
            )
            params = {"follow_up_id": event.data["follow_up_id"]}
            attachments_store(report=report, files=files, stored=stored, follow_up_id=params["follow_up_id"])
        event = report_act(actor=actor, report_id=report.pk, action=action, params=params)
        if action == Action.VERIFY:
            # The verify form's photo boxes: each of the report's own photos public exactly when ticked.
            ticked = request.POST.getlist("public_photo")
            public_ids = {int(v) for v in ticked if v.isascii() and v.isdigit() and str(int(v)) == v}
            photos_public_set(actor=actor, report_id=report.pk, public_ids=public_ids)
        if action == Action.DRAFT_FOLLOW_UP and files:
            attachments_store(
                report=report, files=files, stored=stored, follow_up_id=event.data["follow_up_id"]
            )


@staff_required
@require_POST
def report_action(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    actor = console_actor(request)
    try:
        report = report_get_for(actor, tracking_number=tracking_number)
    except DomainError as error:
        return domain_error_response(request, error)
    try:
        _apply(actor, report, action, request)
    except DomainError as error:
        report.refresh_from_db()
        context = _detail_context(
            request, actor, report, error=error, failed_action=action, post=request.POST
        )
        return render(request, "console/report.html", context, status=error.http_status)
    messages.success(request, f"{event_label(action)}: {report.tracking_number}")
    if not reports_visible_to(actor).filter(pk=report.pk).exists():
        # e.g. after "bukan kewenangan" the report is the coordinator's again.
        return redirect("console:home")
    return redirect("console:report", tracking_number=report.tracking_number)


@staff_required
@require_GET
def attachment(
    request: HttpRequest, tracking_number: str, pk: int, thumbnail: bool = False
) -> HttpResponseBase:
    """A file of a report (or its thumbnail), only to someone who may open the report (never a
    public media URL); the file's own name only for the coordinator."""
    actor = console_actor(request)
    try:
        report = report_get_for(actor, tracking_number=tracking_number)
        item = attachment_get_for(actor, report, pk)
    except DomainError as error:
        return domain_error_response(request, error)
    return attachment_response(item, shown_name=item.shown_name, thumbnail=thumbnail)  # type: ignore[attr-defined]


@staff_required
@require_GET
def tabs(request: HttpRequest) -> HttpResponse:
    """The queue tabs alone: polled by htmx every minute so counts stay fresh on an open page."""
    actor = console_actor(request)
    current = request.GET.get("q", "")
    return render(
        request, "console/_tabs.html", _queue_tabs(actor, current if current.isidentifier() else "")
    )


# --- small htmx pickers -----------------------------------------------------------------------


@staff_required
@require_GET
def category_options(request: HttpRequest) -> HttpResponse:
    top = request.GET.get("category_top", "")
    subs = (
        Category.objects.filter(parent__code=top, is_active=True).order_by("position", "name") if top else []
    )
    return render(
        request,
        "console/_sub_category.html",
        {"sub_categories": subs, "selected": "", "field_id": request.GET.get("id", "id_category_sub")},
    )


@staff_required
@require_GET
def desa_options(request: HttpRequest) -> HttpResponse:
    kecamatan = request.GET.get("region_kecamatan", "")
    desa = Region.objects.filter(parent_id=kecamatan).order_by("name") if kecamatan else []
    return render(request, "console/_desa.html", {"desa_list": desa, "selected": ""})
