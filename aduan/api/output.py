"""Reports as the API shows them, to each actor only what selectors let it see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aduan.core.actors import Actor
from aduan.core.roles import STAFF_ROLES, Role
from aduan.intake.models import Attachment, Report, Status
from aduan.workflow.models import ReportEvent
from aduan.workflow.selectors import (
    actions_available,
    attachments_prefetch,
    attachments_visible_to,
    citizen_words_for,
    code_name,
    event_actor_name,
    follow_ups_for,
    forwarding_active,
    report_events_for,
    report_fields_for,
    reporter_visible_to,
)
from aduan.workflow.transitions import TRANSITIONS, Action, event_label

# Actions a client can take through POST …/actions/{action}: every action a person may take. Submit
# belongs to intake; the system's own (auto_close, expire_hold, remind, escalate) to the sweeps.
API_ACTIONS = [a.value for a, t in TRANSITIONS.items() if a is not Action.SUBMIT and t.roles - {Role.SYSTEM}]
# Public events whose notes are written for the citizen (the others may carry staff instructions).
NOTES_FOR_CITIZEN = {
    "hold",
    "resume",
    "archive",
    "mark_duplicate",
    "follow_up",
    "reply",
    "complete",
    "reopen",
    "close",
    "rate",
    "forward_update",
}


def _attachment(attachment: Attachment) -> dict[str, Any]:
    # shown_name: annotated by attachments_visible_to (the file's own name for the coordinator only).
    name = attachment.shown_name  # type: ignore[attr-defined]
    return {
        "name": name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "is_public": attachment.is_public,
    }


def _event(event: ReportEvent, *, staff: bool, citizen_words: Callable[[str], str] = str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "action": event.action,
        "label": event_label(event.action),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "at": event.created_at,
        "actor_role": event.actor_role,
        "actor_agency": code_name(event.actor_agency),
        "note": (citizen_words(event.note) if event.actor_role == Role.CITIZEN else event.note)
        if staff or event.action in NOTES_FOR_CITIZEN
        else "",
    }
    if staff and (name := event_actor_name(event)):
        entry["actor_name"] = name
    return entry


def report_detail(actor: Actor, report: Report) -> dict[str, Any]:
    """The report for `actor`: staff get the audit trail and deadline, the citizen the public view."""
    staff = actor.role in STAFF_ROLES
    reporter = reporter_visible_to(actor, report)
    # The citizen reads their own words as written; staff through the identity rule.
    words = citizen_words_for(actor, report) if staff else str
    # Exact for whoever may know the reporter, an anonymous report's grid cell for everyone else.
    body: dict[str, Any] = {
        **report_fields_for(actor, report),
        "support_count": report.support_count,
        "timeline": [_event(e, staff=staff, citizen_words=words) for e in report_events_for(actor, report)],
        "follow_ups": [
            {
                "id": f.pk,
                "agency": code_name(f.agency),
                "text": f.text,
                "state": f.state,
                "is_public": f.is_public,
                "published_at": f.published_at,
                "attachments": [_attachment(a) for a in f.attachments.all()],
            }
            for f in follow_ups_for(actor, report).prefetch_related(attachments_prefetch(actor, report))
        ],
        "attachments": [
            _attachment(a) for a in attachments_visible_to(actor, report).filter(follow_up__isnull=True)
        ],
        "allowed_actions": [a.value for a in actions_available(actor, report) if a.value in API_ACTIONS],
        "reporter": {"name": reporter.name, "phone": reporter.phone, "email": reporter.email}
        if reporter
        else None,
    }
    forwarding = forwarding_active(report)
    # Exactly one installation is responsible: a forwarded report names it, for staff and citizen.
    body["forwarded_to"] = (
        {
            "agency": code_name(forwarding.agency),
            "tracking_number": forwarding.remote_tracking_number or None,
            "status": forwarding.remote_status or None,
        }
        if forwarding
        else None
    )
    if staff:
        body.update(
            classification=report.classification or None,
            lead_agency=code_name(report.lead_agency),
            step=report.step or None,
            due_at=report.due_at,
        )
    if actor.role == Role.COORDINATOR:
        # The citizen's own words may name them; the coordinator edits them at verification.
        body.update(original_title=report.title, original_text=report.original_text)
    if actor.role == Role.CITIZEN and report.status == Status.DITUNDA:
        body["clarification_question"] = report.clarification_question
    return body


def report_summary(report: Report, *, staff: bool) -> dict[str, Any]:
    return {
        "tracking_number": report.tracking_number,
        "status": report.status,
        "kind": report.kind,
        "channel": report.channel,
        "title": report.display_title,
        "category": report.category.code if report.category else None,
        "kecamatan": report.kecamatan_id,
        "lead_agency": report.lead_agency.code if report.lead_agency else None,
        "submitted_at": report.submitted_at,
        "updated_at": report.updated_at,
        "due_at": report.due_at if staff else None,
    }
