"""Reads of reports, with access enforced in the query: an actor never loads what isn't theirs."""

from __future__ import annotations

from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet

from aduan.core.actors import Actor
from aduan.core.errors import NotFound, PermissionDenied
from aduan.core.roles import AGENCY_ROLES, Role
from aduan.intake.models import Attachment, Report, Reporter, Status
from aduan.workflow.models import Disposition, FollowUp, ReportEvent

PUBLIC_STATUSES = frozenset(
    {
        Status.TERVERIFIKASI,
        Status.TERDISPOSISI,
        Status.DITINDAKLANJUTI,
        Status.DITANGGAPI_PELAPOR,
        Status.SELESAI,
    }
)


def _active_disposition_to(agency_id: int) -> Exists:
    return Exists(Disposition.objects.filter(report=OuterRef("pk"), agency_id=agency_id, is_active=True))


def reports_visible_to(actor: Actor) -> QuerySet[Report]:
    """Every report the actor may list or open; the only door to reports for interfaces."""
    reports = Report.objects.all()
    if actor.role in (Role.COORDINATOR, Role.SYSTEM, Role.LEADER):
        return reports
    if actor.role in AGENCY_ROLES:
        if actor.agency_id is None:
            return reports.none()
        return reports.filter(_active_disposition_to(actor.agency_id))
    if actor.role == Role.CITIZEN:
        if actor.user is not None:
            return reports.filter(pk__in=actor.report_ids) | reports.filter(reporter__user=actor.user)
        return reports.filter(pk__in=actor.report_ids)
    return reports.none()


def reports_public() -> QuerySet[Report]:
    """Reports anyone may see: verified, not confidential (the public feed and open data)."""
    return Report.objects.filter(is_confidential=False, status__in=PUBLIC_STATUSES)


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


def reporter_visible_to(actor: Actor, report: Report) -> Reporter | None:
    """The reporter's identity, or None: an anonymous reporter is known to the coordinator only."""
    if report.reporter_id is None:
        return None
    own_or_handled = reports_visible_to(actor).filter(pk=report.pk)
    allowed = (
        actor.role == Role.COORDINATOR
        or (actor.role == Role.CITIZEN and own_or_handled.exists())
        or (not report.is_anonymous and actor.role in AGENCY_ROLES and own_or_handled.exists())
    )
    return Reporter.objects.get(pk=report.reporter_id) if allowed else None


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


def attachments_public(report: Report) -> QuerySet[Attachment]:
    """The photos of a public report the coordinator marked public, with `shown_name`."""
    return _public_photos().filter(report=report, report__in=reports_public())


def public_photos_prefetch() -> Prefetch:
    """For a list of public reports (reports_public): their marked photos as `public_photos`."""
    return Prefetch("attachments", queryset=_public_photos(), to_attr="public_photos")


def _public_photos() -> QuerySet[Attachment]:
    # The citizen's photos, or those of a published public follow-up; always the neutral name.
    return (
        Attachment.objects.filter(is_public=True)
        .exclude(thumbnail="")
        .filter(
            Q(follow_up__isnull=True)
            | Q(follow_up__state=FollowUp.State.PUBLISHED, follow_up__is_public=True)
        )
        .annotate(shown_name=F("name"))
    )


def attachments_prefetch(actor: Actor, report: Report) -> Prefetch:
    """Prefetch of follow-ups' attachments, with `shown_name` as attachments_visible_to gives it."""
    return Prefetch("attachments", queryset=attachments_visible_to(actor, report))


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
