"""The notification matrix applied: the messages and console notices an audited event calls for.

Why a post_save handler on ReportEvent rather than an after-commit hook: the outbox row must
exist if and only if the event does. Written in the same transaction as the event (which
`report_act` writes inside its transaction), a rolled-back action leaves no message and a crash
right after commit loses none; an after-commit hook that derives messages later could be lost
between the commit and the hook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from aduan.core import clock
from aduan.core.language import in_site_language
from aduan.core.roles import Role
from aduan.directory.models import Agency
from aduan.intake.models import AGENCY_STEPS, COORDINATOR_STEPS, ArchiveReason, Report
from aduan.notifications.matrix import SENT_BY_SERVICE, Audience, When, rules_for
from aduan.notifications.models import OutboundMessage, StaffNotice
from aduan.notifications.recipients import (
    agency_staff,
    citizen_addresses,
    coordinating_heads,
    coordinators,
    liaison_officers,
    preference,
    unique_emails,
)
from aduan.notifications.services import base_context, is_suppressed, message_queue
from aduan.notifications.texts import render
from aduan.workflow.models import ReportEvent

if TYPE_CHECKING:
    from aduan.accounts.models import User

logger = logging.getLogger(__name__)
Kind = OutboundMessage.RecipientKind

# Actions whose note is written for the citizen (a question, a follow-up, a closing reason).
# Others (a dispose instruction, a verification note) are for staff and stay out of messages.
CITIZEN_NOTE_ACTIONS = {
    "hold",
    "follow_up",
    "close",
    "complete",
    "auto_close",
    "expire_hold",
    "forward_update",
}


def _citizen_note(report: Report, event: ReportEvent) -> str:
    if event.action == "mark_duplicate":
        return str(event.data.get("duplicate_of", ""))
    if event.action == "archive":
        reason = event.data.get("reason", "")
        return str(ArchiveReason(reason).label) if reason in ArchiveReason.values else ""
    if event.action in CITIZEN_NOTE_ACTIONS:
        return event.note
    return ""


@in_site_language
def messages_for_event(event: ReportEvent) -> None:
    """Write the messages the matrix names for an audited action (runs inside its transaction;
    not for SENT_BY_SERVICE actions, which `on_report_event` leaves to their services)."""
    rules = rules_for(event.action)
    if not rules:
        return
    report = Report.objects.select_related("reporter", "reporter__user", "lead_agency").get(
        pk=event.report_id
    )
    for rule in rules:
        if _applies(rule.when, report, event):
            _SENDERS[rule.audience](report, event, rule.template)


def _step_of(event: ReportEvent) -> str:
    return str(event.data.get("step") or "")


def _applies(when: When, report: Report, event: ReportEvent) -> bool:
    data = event.data
    if when is When.NOT_BY_REPORTER:
        return event.actor_role != Role.CITIZEN
    if when is When.LEAD_CHANGED:
        previous = (
            ReportEvent.objects.filter(report_id=event.report_id, action__in=["dispose", "redispose"])
            .exclude(pk=event.pk)
            .order_by("-created_at", "-pk")
            .values_list("data", flat=True)
            .first()
        )
        return not isinstance(previous, dict) or previous.get("lead") != data.get("lead")
    if when is When.APPROVAL_REQUIRED:
        agency = event.actor_agency
        return agency is not None and agency.requires_approval and event.actor_role != Role.LIAISON_OFFICER
    if when is When.COORDINATOR_STEP:
        return _step_of(event) in COORDINATOR_STEPS
    if when is When.AGENCY_STEP:
        return _step_of(event) in AGENCY_STEPS
    if when is When.LEVEL_1:
        return data.get("level") == 1
    if when is When.LEVEL_2:
        return data.get("level") == 2
    if when is When.HAS_FOLLOW_UP:
        return bool(data.get("follow_up_id"))
    return True


def _tell_staff(
    report: Report,
    event: ReportEvent,
    key: str,
    kind: str,
    *,
    users: Iterable[User],
    mailboxes: Iterable[str] = (),
    agency: str = "",
    note: str = "",
) -> None:
    """E-mail and/or a console notice to each officer (as they chose), e-mail to the mailboxes."""
    context = base_context(report, staff=True) | {"note": note, "level": event.data.get("level", "")}
    if agency:
        context["agency"] = agency
    emails: list[str] = list(mailboxes)
    for user in users:
        choice = preference(user)
        if choice.by_email and user.email:
            emails.append(user.email)
        if choice.in_console:
            notice_add(user=user, report=report, event=event, key=key, context=context)
    for to in unique_emails(emails):
        message_queue(
            report=report,
            event=event,
            keys=[key],
            recipient_kind=kind,
            channel="email",
            to=to,
            context=context,
            dedupe_key=f"e{event.pk}:email:{to}",
        )


def notice_add(*, user: User, report: Report, event: ReportEvent, key: str, context: dict[str, Any]) -> None:
    """One bell notice: the staff e-mail's subject line (once per event and officer)."""
    if is_suppressed():
        return
    rendered = render([key], "email", context)
    if rendered is None:
        return
    _key, subject, _body = rendered
    StaffNotice.objects.get_or_create(
        dedupe_key=f"e{event.pk}:u{user.pk}",
        defaults={
            "user": user,
            "report": report,
            "event": event,
            "template_key": key,
            # The e-mail subject's "[Aduan]" tag says where the mail is from; in the console it is noise.
            "text": subject.removeprefix("[Aduan]").strip()[:200],
            "created_at": clock.now(),
        },
    )


def _agency_by_code(code: object) -> Agency | None:
    return Agency.objects.filter(code=code).first() if code else None


def _to_disposed_agencies(report: Report, event: ReportEvent, key: str) -> None:
    codes = [event.data.get("lead"), *(event.data.get("supporting") or [])]
    # The OPD needs the coordinator's instruction, which the public note leaves out.
    note = "\n".join(filter(None, [event.note, str(event.data.get("instruction") or "")]))
    for agency in Agency.objects.filter(code__in=[c for c in codes if c]):
        _tell_agency(report, event, key, agency, note)


def _to_lead_agency(report: Report, event: ReportEvent, key: str) -> None:
    if report.lead_agency is None:
        return  # a returned report has no OPD: it is on the coordinator's queue
    _tell_agency(report, event, key, report.lead_agency, _staff_note(event))


def _tell_agency(report: Report, event: ReportEvent, key: str, agency: Agency, note: str) -> None:
    """The OPD's admins (as each chose) and the OPD's own mailbox."""
    users = agency_staff(agency)
    _tell_staff(
        report, event, key, Kind.AGENCY, users=users, mailboxes=[agency.email], agency=agency.name, note=note
    )


def _to_acting_agency(report: Report, event: ReportEvent, key: str) -> None:
    agency = event.actor_agency
    if agency is None:
        return
    _tell_staff(
        report, event, key, Kind.AGENCY, users=agency_staff(agency), agency=agency.name, note=event.note
    )


def _to_liaison(report: Report, event: ReportEvent, key: str) -> None:
    from aduan.workflow.models import FollowUp

    agency = event.actor_agency
    if agency is None:
        return
    draft = FollowUp.objects.filter(pk=event.data.get("follow_up_id")).values_list("text", flat=True).first()
    _tell_staff(
        report, event, key, Kind.AGENCY, users=liaison_officers(agency), agency=agency.name, note=draft or ""
    )


def _to_coordinator(report: Report, event: ReportEvent, key: str) -> None:
    agency = ""
    if event.action in ("return", "forward_returned"):
        returning = _agency_by_code(event.data.get("agency"))
        agency = returning.name if returning else ""
    _tell_staff(
        report, event, key, Kind.COORDINATOR, users=coordinators(), agency=agency, note=_staff_note(event)
    )


def _to_head(report: Report, event: ReportEvent, key: str) -> None:
    if _step_of(event) in AGENCY_STEPS and report.lead_agency is not None:
        heads = [(report.lead_agency.head_email.strip().lower(), report.lead_agency.name)]
    else:
        heads = coordinating_heads()
    for to, name in heads:
        if not to:
            continue
        message_queue(
            report=report,
            event=event,
            keys=[key],
            recipient_kind=Kind.AGENCY,
            channel="email",
            to=to,
            context=base_context(report, staff=True) | {"agency": name, "level": event.data.get("level", "")},
            dedupe_key=f"e{event.pk}:email:{to}",
        )


def _staff_note(event: ReportEvent) -> str:
    # The citizen's reply or reopen reason, the OPD's return reason; not the sweeps' bookkeeping.
    return event.note if event.action in ("reply", "reopen", "return", "forward_returned") else ""


def _to_reporter(report: Report, event: ReportEvent, key: str) -> None:
    context = base_context(report, staff=False) | {"note": _citizen_note(report, event)}
    if event.action == "forward_update":
        # The follow-up is the peer agency's, not a local lead OPD's.
        peer_agency = _agency_by_code(event.data.get("agency"))
        context["agency"] = peer_agency.name if peer_agency else ""
    # Reporters of duplicates follow the original (DOMAIN.md §3).
    followers = [
        report,
        *Report.objects.filter(duplicate_of=report).select_related("reporter", "reporter__user"),
    ]
    for holder in followers:
        for channel, to in citizen_addresses(holder):
            message_queue(
                report=report,
                event=event,
                keys=[key],
                recipient_kind=Kind.CITIZEN,
                channel=channel,
                to=to,
                context=context,
                dedupe_key=f"e{event.pk}:{channel}:{to}",
            )


_SENDERS: dict[Audience, Callable[[Report, ReportEvent, str], None]] = {
    Audience.REPORTER: _to_reporter,
    Audience.DISPOSED_AGENCIES: _to_disposed_agencies,
    Audience.LEAD_AGENCY: _to_lead_agency,
    Audience.ACTING_AGENCY: _to_acting_agency,
    Audience.LIAISON: _to_liaison,
    Audience.COORDINATOR: _to_coordinator,
    Audience.HEAD: _to_head,
}


def on_report_event(
    sender: type, instance: ReportEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """post_save of ReportEvent: write its messages in the same transaction."""
    if not created or raw or instance.action in SENT_BY_SERVICE:
        # The confirmation and a new code carry a secret the event never holds: their services
        # (notify_submitted, access_code_messages) write them.
        return
    try:
        with transaction.atomic():
            messages_for_event(instance)
    except Exception:
        # A broken template must not undo a coordinator's action; the event stands, the
        # message is missing and the log says why (the body is not logged: it may be personal).
        logger.exception("could not queue messages for report event %s (%s)", instance.pk, instance.action)
