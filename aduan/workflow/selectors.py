"""Reads of reports, with access enforced in the query: an actor never loads what isn't theirs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet

from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.errors import NotFound, PermissionDenied
from aduan.core.roles import AGENCY_ROLES, Role
from aduan.directory.models import Agency, Category, Region
from aduan.intake.location import GRID_DEGREES, Location, report_location
from aduan.intake.models import (
    Attachment,
    ClosedBy,
    IdentityMaskedReport,
    PublicReport,
    Report,
    Reporter,
    Status,
)
from aduan.intake.redaction import mask_personal_data, own_data_of
from aduan.sla.calendar import WorkingCalendar, limit
from aduan.workflow.models import Disposition, FollowUp, Forwarding, PublicFollowUp, ReportEvent
from aduan.workflow.photos import MARKABLE
from aduan.workflow.transitions import LEAD_ONLY, SCOPES, Action, Scope, allowed_actions

PUBLIC_STATUSES = frozenset(
    {
        Status.TERVERIFIKASI,
        Status.TERDISPOSISI,
        Status.DITINDAKLANJUTI,
        Status.DITANGGAPI_PELAPOR,
        Status.SELESAI,
        Status.DITERUSKAN,
    }
)


def _active_disposition_to(agency_id: int) -> Exists:
    return Exists(Disposition.objects.filter(report=OuterRef("pk"), agency_id=agency_id, is_active=True))


def reports_visible_to(actor: Actor) -> QuerySet[Report]:
    """Every report the actor may list or open; the only door to reports for interfaces. Staff who
    may not know an anonymous report's reporter (OPD, APIP, pimpinan) get IdentityMaskedReport:
    its title and text with personal data masked."""
    reports = Report.objects.all()
    if actor.role in (Role.COORDINATOR, Role.SYSTEM):
        return reports
    masked: QuerySet[Report] = IdentityMaskedReport.objects.all()
    if actor.role == Role.LEADER:
        return masked
    if actor.role in AGENCY_ROLES:
        if actor.agency_id is None:
            return masked.none()
        return masked.filter(_active_disposition_to(actor.agency_id))
    if actor.role == Role.CITIZEN:
        if actor.user is not None:
            return reports.filter(pk__in=actor.report_ids) | reports.filter(reporter__user=actor.user)
        return reports.filter(pk__in=actor.report_ids)
    return reports.none()


def reports_held_by(actor: Actor, *states: str) -> QuerySet[Report]:
    """An OPD role's reports_visible_to(actor) as a join to its own active disposition (in one of
    `states`, if any), for lists whose counts must start from that agency's dispositions."""
    if actor.role not in AGENCY_ROLES:
        raise PermissionDenied("Hanya untuk peran OPD.")
    if actor.agency_id is None:
        return IdentityMaskedReport.objects.none()
    # One active disposition per report and agency (disposition_agency_once): the join adds no
    # row. Driven from disposition_agency_state, a count reads this agency's rows alone, where
    # the EXISTS of reports_visible_to walks every OPD's reports in index order (issue 16).
    mine = Q(dispositions__agency_id=actor.agency_id, dispositions__is_active=True)
    if states:
        mine &= Q(dispositions__state__in=states)
    return IdentityMaskedReport.objects.filter(mine)


def reports_public() -> QuerySet[PublicReport]:
    """Reports anyone may see: verified, not confidential (the public feed and open data), as
    PublicReport: their display_title and display_text are the text with personal data masked."""
    return PublicReport.objects.filter(is_confidential=False, status__in=PUBLIC_STATUSES)


# Open and public: worth a "saya juga mengalami" instead of a new report.
NEARBY_STATUSES = frozenset(
    {Status.TERVERIFIKASI, Status.TERDISPOSISI, Status.DITINDAKLANJUTI, Status.DITANGGAPI_PELAPOR}
)
_METRES_PER_DEGREE = 111_320


def reports_nearby(
    *,
    desa: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    category: str = "",
    radius_m: int | None = None,
    limit: int = 5,
) -> list[PublicReport]:
    """Open public reports in the same desa or within `radius_m` of a point, same topic first (an
    incomplete or non-finite point is no point; over-long codes are cut). The distance is to the place as the public sees it (an anonymous report's grid cell, location_for),
    so the list says nothing finer about an anonymous reporter than the public map does."""
    radius_m = radius_m or settings.ADUAN_NEARBY_RADIUS_M
    # Straight from a query string: no region code is longer, no category code worth comparing.
    desa, category = desa[:13], category[:80]
    near = Q(desa_id=desa) if desa else Q(pk__in=[])
    # A point only when both are finite numbers (NaN or infinity would match nothing, or fail).
    point = (
        latitude is not None
        and longitude is not None
        and math.isfinite(latitude)
        and math.isfinite(longitude)
    )
    if point:
        assert latitude is not None and longitude is not None
        # The box around the point, widened by the grid so a coarsened place is not missed.
        span = radius_m / _METRES_PER_DEGREE + GRID_DEGREES
        lon_span = span / max(0.1, math.cos(math.radians(latitude)))
        near |= Q(
            latitude__range=(latitude - span, latitude + span),
            longitude__range=(longitude - lon_span, longitude + lon_span),
        )
    if not desa and not point:
        return []
    candidates = (
        reports_public()
        .filter(near, status__in=NEARBY_STATUSES)
        .select_related("category", "category__parent", "kecamatan", "desa")
        .order_by("-submitted_at", "-pk")[:200]
    )
    found = []
    for report in candidates:
        place = location_for(None, report)
        close = (
            point
            and place.latitude is not None
            and place.longitude is not None
            and _metres(latitude, longitude, place.latitude, place.longitude) <= radius_m  # type: ignore[arg-type]
        )
        if (desa and report.desa_id == desa) or close:
            found.append(report)

    def same_topic(report: PublicReport) -> bool:
        topic = report.category
        if not category or topic is None:
            return False
        return category == topic.code or (topic.parent is not None and category == topic.parent.code)

    found.sort(key=lambda r: (not same_topic(r), -r.support_count))
    return found[:limit]


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def public_follow_ups(report: Report) -> QuerySet[PublicFollowUp]:
    """The published public follow-ups of a public report, their text with personal data masked."""
    return PublicFollowUp.objects.filter(
        report=report, state=FollowUp.State.PUBLISHED, is_public=True
    ).select_related("agency")


def report_get_for(actor: Actor, *, tracking_number: str | None = None, pk: int | None = None) -> Report:
    """One report, or NotFound when it doesn't exist and PermissionDenied when it isn't the actor's."""
    lookup: dict[str, str | int | None] = (
        {"tracking_number": tracking_number} if tracking_number is not None else {"pk": pk}
    )
    report = (
        reports_visible_to(actor)
        .filter(**lookup)
        .select_related("category", "kecamatan", "desa", "lead_agency")
        .first()
    )
    if report is not None:
        return report
    if Report.objects.filter(**lookup).exists():
        raise PermissionDenied("Laporan ini bukan wewenang Anda.", code="not_your_report")
    raise NotFound("Laporan tidak ditemukan.", code="report_not_found")


def identity_visible_q(actor: Actor) -> Q:
    """The reports whose reporter `actor` may know, as a query condition: the one identity rule of
    every output (console, API, exports). The coordinator knows every reporter; the citizen their
    own; an agency the reporter of a report disposed to it that is not anonymous; nobody else
    (pimpinan, APIP outside its dispositions, the public) any."""
    if actor.role == Role.COORDINATOR:
        return Q(pk__isnull=False)  # every report (an empty Q() cannot be a When() condition)
    if actor.role == Role.CITIZEN:
        return Q(pk__in=reports_visible_to(actor).values("pk"))
    if actor.role in AGENCY_ROLES:
        return Q(is_anonymous=False, pk__in=reports_visible_to(actor).values("pk"))
    return Q(pk__in=[])


def identity_visible(actor: Actor | None, report: Report) -> bool:
    if actor is None:
        return False
    if actor.role == Role.COORDINATOR:
        return True
    if actor.role != Role.CITIZEN and (report.is_anonymous or actor.role not in AGENCY_ROLES):
        # identity_visible_q answers no here without reading anything: an agency never knows an
        # anonymous reporter, pimpinan and APIP no reporter. No query, so a list (the queue's map)
        # can call location_for per row.
        return False
    return Report.objects.filter(identity_visible_q(actor), pk=report.pk).exists()


def reporter_visible_to(actor: Actor, report: Report) -> Reporter | None:
    """The reporter's identity, or None: an anonymous reporter is known to the coordinator only."""
    if report.reporter_id is None or not identity_visible(actor, report):
        return None
    return Reporter.objects.get(pk=report.reporter_id)


def citizen_words_for(actor: Actor, report: Report) -> Callable[[str], str]:
    """How `actor` reads what the reporter wrote after submitting (clarification answers, replies,
    reopen reasons, rating comments): personal data masked when the report is anonymous and
    `actor` may not know its reporter. Masking costs milliseconds: for a report page, not a list."""
    if not report.is_anonymous or identity_visible(actor, report):
        return str
    reporter = Reporter.objects.filter(pk=report.reporter_id).first() if report.reporter_id else None
    own = own_data_of(reporter) if reporter is not None else None
    return lambda text: mask_personal_data(text, own)


def location_for(actor: Actor | None, report: Report) -> Location:
    """Where the report is, as `actor` may see it (None: the public, every public output and map).
    An anonymous report's place would point at its reporter ("gunakan lokasi saya" is usually the
    home): whoever may not know the reporter gets the desa and a ~500 m grid cell, no address."""
    exact = not report.is_anonymous or identity_visible(actor, report)
    return report_location(report, exact=exact, public=actor is None)


def code_name(obj: Agency | Category | Region | None) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def report_fields_for(actor: Actor, report: Report) -> dict[str, Any]:
    """The fields every machine output of a report shares (the API's report, a webhook's
    payload), the place as `actor` may see it (location_for)."""
    place = location_for(actor, report)
    return {
        "tracking_number": report.tracking_number,
        "status": report.status,
        "status_label": str(Status(report.status).label),
        "kind": report.kind,
        "channel": report.channel,
        "title": report.display_title,
        "description": report.display_text,
        "category": code_name(report.category),
        "region": code_name(report.desa or report.kecamatan),
        "kecamatan": code_name(report.kecamatan),
        "address": place.address,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "location_exact": place.exact,
        "submitted_at": report.submitted_at,
        "updated_at": report.updated_at,
        "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
    }


def attachments_visible_to(actor: Actor, report: Report) -> QuerySet[Attachment]:
    """A report's attachments with `shown_name`, the only name outputs may show: the file's own
    name ("KTP_<name>.jpg" can identify an anonymous reporter) for the coordinator, the neutral
    `lampiran-N.ext` for everyone else. Access to the report is the caller's (report_get_for)."""
    shown = F("original_name") if actor.role == Role.COORDINATOR else F("name")
    return Attachment.objects.filter(report=report).annotate(shown_name=shown)


def attachment_get_for(actor: Actor, report: Report, pk: int) -> Attachment:
    """One attachment of a report the actor may open (report_get_for), with `shown_name`; a
    follow-up's file only when the actor may see that follow-up (drafts stay in the agency)."""
    item = attachments_visible_to(actor, report).filter(pk=pk).first()
    if item is None or (
        item.follow_up_id is not None
        and not follow_ups_for(actor, report).filter(pk=item.follow_up_id).exists()
    ):
        raise NotFound("Lampiran tidak ditemukan.", code="attachment_not_found")
    return item


def attachments_prefetch(actor: Actor, report: Report) -> Prefetch:
    """Prefetch of follow-ups' attachments, with `shown_name` as attachments_visible_to gives it."""
    return Prefetch("attachments", queryset=attachments_visible_to(actor, report))


def _photos_marked_public() -> QuerySet[Attachment]:
    # A report's own image the coordinator marked public (workflow.photos): never a follow-up's
    # file, never a PDF, never a photo nobody marked (a KTP sent as evidence stays private).
    return Attachment.objects.filter(MARKABLE, is_public=True)


def photos_public() -> QuerySet[Attachment]:
    """Photos anyone may see: marked public, of a report reports_public() returns. The only door
    for public pages, the feed, maps and Open311's media_url."""
    return _photos_marked_public().filter(report__in=reports_public().values("pk"))


def photo_public_get(tracking_number: str, pk: int) -> Attachment | None:
    """One public photo (photos_public) of the report with this tracking number, or None."""
    return photos_public().filter(pk=pk, report__tracking_number=tracking_number).first()


def photos_public_prefetch() -> Prefetch:
    """Prefetch onto reports already from reports_public(): their public photos as `public_photos`."""
    return Prefetch("attachments", queryset=_photos_marked_public().order_by("pk"), to_attr="public_photos")


def report_events_for(actor: Actor, report: Report) -> QuerySet[ReportEvent]:
    """The timeline: the whole audit trail for staff, only public events for the citizen."""
    events = (
        ReportEvent.objects.filter(report=report)
        # A citizen's own account is never joined (DOMAIN.md §6): an anonymous reporter who acts
        # with an account stays anonymous to OPDs. Read the acting staff member with event_actor_name.
        .annotate(staff_user=FilteredRelation("actor_user", condition=~Q(actor_role=Role.CITIZEN)))
        .select_related("actor_agency", "staff_user")  # type: ignore[misc]  # django-stubs: FilteredRelation
    )
    if actor.role in (Role.COORDINATOR, Role.LEADER, Role.SYSTEM) or actor.role in AGENCY_ROLES:
        return events
    return events.filter(is_public=True)


def event_actor_name(event: ReportEvent) -> str:
    """The staff member who acted on an event of report_events_for; '' for a citizen or the system."""
    user = getattr(event, "staff_user", None)
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def public_events(report: Report) -> QuerySet[ReportEvent]:
    return ReportEvent.objects.filter(report=report, is_public=True).select_related("actor_agency")


def follow_ups_for(actor: Actor, report: Report) -> QuerySet[FollowUp]:
    follow_ups = FollowUp.objects.filter(report=report).select_related("agency")
    if actor.role in (Role.COORDINATOR, Role.LEADER) or actor.role in AGENCY_ROLES:
        return follow_ups
    return follow_ups.filter(state=FollowUp.State.PUBLISHED, is_public=True)


def active_dispositions(report: Report) -> QuerySet[Disposition]:
    return Disposition.objects.filter(report=report, is_active=True).select_related("agency")


def actions_available(actor: Actor, report: Report) -> list[Action]:
    """The actions `report_act` would accept from this actor on this report now, in table order:
    the table's actions for the state and role, less those its scope checks or handlers refuse
    whatever the input (not the actor's report, lead-only, no draft to approve, approval needed,
    the reopen window passed). Interfaces offer exactly these."""
    actions = allowed_actions(Status(report.status), actor.role)
    scope = SCOPES[actor.role]
    if scope is Scope.REPORTER:
        owns = report.pk in actor.report_ids or (
            actor.user is not None
            and report.reporter_id is not None
            and Reporter.objects.filter(pk=report.reporter_id, user_id=actor.user.pk).exists()
        )
        return _reopen_possible(report, actions) if owns else []
    if scope is not Scope.DISPOSED_AGENCY:
        return actions
    mine = Disposition.objects.filter(report=report, agency_id=actor.agency_id or 0, is_active=True)
    if actor.agency_id is None or not mine.exists():
        return []
    is_lead = mine.filter(is_lead=True).exists()
    follow_ups = FollowUp.objects.filter(report=report, agency_id=actor.agency_id)
    needs_approval = (
        actor.role != Role.LIAISON_OFFICER
        and Agency.objects.filter(pk=actor.agency_id, requires_approval=True).exists()
    )
    available = []
    for action in actions:
        if action in LEAD_ONLY and not is_lead:
            continue
        if action == Action.ACCEPT and not mine.filter(state=Disposition.State.NEW).exists():
            continue
        if (
            action in (Action.APPROVE_FOLLOW_UP, Action.SEND_BACK_FOLLOW_UP)
            and not follow_ups.filter(state=FollowUp.State.DRAFT).exists()
        ):
            continue
        if (
            action == Action.FOLLOW_UP
            and needs_approval
            and not follow_ups.filter(state=FollowUp.State.APPROVED, is_public=True).exists()
        ):
            continue
        available.append(action)
    return available


def _reopen_possible(report: Report, actions: list[Action]) -> list[Action]:
    """Drop `reopen` where its handler refuses it: closed by the coordinator before any follow-up,
    or the reopen window (working days after completion) has passed."""
    if Action.REOPEN not in actions:
        return actions
    closed_unanswered = report.closed_by == ClosedBy.COORDINATOR and report.first_follow_up_at is None
    window_passed = report.completed_at is not None and clock.now() > WorkingCalendar.load().due_at(
        report.completed_at, limit("reopen_window")
    )
    return [a for a in actions if a != Action.REOPEN] if closed_unanswered or window_passed else actions


def forwarding_active(report: Report) -> Forwarding | None:
    """The peer agency a forwarded report is with, and what it last told us (None: not forwarded)."""
    if report.status != Status.DITERUSKAN:
        return None
    return Forwarding.objects.filter(report=report, is_active=True).select_related("agency").first()
