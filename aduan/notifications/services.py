"""Telling people what happened: messages are written to the outbox, delivered after commit.

Why a post_save handler on ReportEvent rather than an after-commit hook: the outbox row must
exist if and only if the event does. Written in the same transaction as the event (which
`report_act` writes inside its transaction), a rolled-back action leaves no message and a crash
right after commit loses none; an after-commit hook that derives messages later could be lost
between the commit and the hook. Delivery itself is a task enqueued after commit (and the
periodic sweep picks up anything whose enqueue was lost), so no gateway is ever called while a
transaction holds the report row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from aduan.core import bulkinsert, clock, rows
from aduan.core.language import in_site_language
from aduan.core.roles import Role
from aduan.directory.models import Agency
from aduan.intake.models import ArchiveReason, Channel, ClosedBy, Report, Reporter, Status, Step
from aduan.notifications.matrix import SENT_BY_SERVICE, Audience, When, rules_for, template_for
from aduan.notifications.models import ContactOptOut, OutboundMessage, StaffNotice, StaffPreference
from aduan.notifications.texts import format_due, render
from aduan.workflow.models import ReportEvent

if TYPE_CHECKING:
    from aduan.accounts.models import User

logger = logging.getLogger(__name__)

Kind = OutboundMessage.RecipientKind


# Actions whose note is written for the citizen (a question, a follow-up, a closing reason).
# Others (a dispose instruction, a verification note) are for staff and stay out of messages.
CITIZEN_NOTE_ACTIONS = {"hold", "follow_up", "close", "complete", "auto_close", "expire_hold"}


_local = threading.local()


@contextmanager
def suppressed() -> Iterator[None]:
    """Write no messages in this block (this thread): for replaying a historical scenario or
    loading demo data, whose citizens and OPDs must not be told anything."""
    previous = getattr(_local, "suppressed", False)
    _local.suppressed = True
    try:
        yield
    finally:
        _local.suppressed = previous


@contextmanager
def delivery_deferred() -> Iterator[None]:
    """Queue messages without a delivery task per transaction: for sweeps that write many and
    deliver them themselves at the end (one task instead of one per report)."""
    previous = getattr(_local, "deferred", False)
    _local.deferred = True
    try:
        yield
    finally:
        _local.deferred = previous


# --- links and labels -------------------------------------------------------------------------


def _link(names: list[tuple[str, dict[str, Any]]], fallback: str) -> str:
    for name, kwargs in names:
        try:
            return settings.SITE_URL + reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return settings.SITE_URL + fallback


def tracking_url(report: Report) -> str:
    # Reversed once per URL configuration and script prefix with a sample number, then filled in:
    # every confirmation of the intake API carries this link (reverse() was 3 % of a submission).
    template = _tracking_template(get_urlconf(), get_script_prefix(), settings.SITE_URL)
    return template.replace(_SAMPLE_NUMBER, quote(report.tracking_number, safe=""))


_SAMPLE_NUMBER = "0000-0000000"


@lru_cache(maxsize=16)
def _tracking_template(urlconf: str | None, prefix: str, site: str) -> str:
    tn = {"tracking_number": _SAMPLE_NUMBER}
    return _link([("portal:track_detail", tn), ("portal:track", {})], "/")


def console_url(report: Report) -> str:
    tn = {"tracking_number": report.tracking_number}
    return _link([("console:report", tn), ("console:report_detail", tn)], "/konsol/")


def public_status(report: Report) -> str:
    """The national system's public label for where the report stands (DOMAIN.md §3)."""
    if report.status == Status.TERDISPOSISI and report.lead_agency_id:
        return f"Terdisposisi ke {report.lead_agency.name}"  # type: ignore[union-attr]
    if report.status == Status.SELESAI and report.closed_by == ClosedBy.SYSTEM:
        return "Selesai (ditutup oleh sistem)"
    if report.status == Status.SELESAI and report.closed_by == ClosedBy.COORDINATOR:
        return "Selesai (ditutup oleh admin)"
    if report.status == Status.DITINDAKLANJUTI and report.lead_agency_id:
        return f"Ditindaklanjuti oleh {report.lead_agency.name}"  # type: ignore[union-attr]
    return str(Status(report.status).label)


def base_context(report: Report, *, staff: bool) -> dict[str, Any]:
    return {
        "tracking_number": report.tracking_number,
        "title": report.display_title,
        "status": public_status(report),
        "due": format_due(report.due_at),
        "agency": report.lead_agency.name if report.lead_agency_id else "",  # type: ignore[union-attr]
        "note": "",
        "step": str(Step(report.step).label) if report.step in Step.values else "",
        "url": console_url(report) if staff else tracking_url(report),
    }


# --- addresses -----------------------------------------------------------------------------------


def _emails(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = (value or "").strip().lower()
        if value and "@" in value:
            seen.setdefault(value, None)
    return list(seen)


def _staff(**filters: Any) -> list[User]:
    from aduan.accounts.models import User

    return list(User.objects.filter(is_active=True, **filters).select_related("notification_preference"))


def agency_staff(agency: Agency) -> list[User]:
    """The agency's admins (admin penghubung; the APIP's auditors)."""
    return _staff(agency=agency, role__in=[Role.OPD_ADMIN, Role.APIP])


def liaison_officers(agency: Agency) -> list[User]:
    return _staff(agency=agency, role=Role.LIAISON_OFFICER)


def coordinators() -> list[User]:
    return _staff(role=Role.COORDINATOR)


def agency_addresses(agency: Agency) -> list[str]:
    """The e-mail addresses the agency's admins chose, and its own mailbox."""
    return _emails([*(u.email for u in agency_staff(agency) if preference(u).by_email), agency.email])


def coordinator_addresses() -> list[str]:
    return _emails(u.email for u in coordinators() if preference(u).by_email)


def coordinating_heads() -> list[tuple[str, str]]:
    """(address, agency name) of the heads of the agencies the coordinators work in (level-2
    escalation of the coordinator's own steps: verification, re-disposition after a return)."""
    agency_ids = [u.agency_id for u in coordinators()]
    heads = Agency.objects.filter(Q(pk__in=agency_ids) | Q(kind=Agency.Kind.COORDINATOR)).exclude(
        head_email=""
    )
    return [(head.head_email.strip().lower(), head.name) for head in heads]


def preference(user: User) -> StaffPreference:
    """The officer's choice, or the default (e-mail and the console bell) when they made none."""
    try:
        return user.notification_preference
    except StaffPreference.DoesNotExist:
        return StaffPreference(user=user)


def _reporter_addresses(report: Report) -> list[tuple[str, str]]:
    reporter: Reporter | None = report.reporter
    if reporter is None:
        return []
    result: list[tuple[str, str]] = []
    if reporter.phone:
        # A WhatsApp reporter's number is their WhatsApp: news goes back the way the report came.
        result.append(("whatsapp" if report.channel == Channel.WHATSAPP else "sms", reporter.phone))
    email = reporter.email or (reporter.user.email if reporter.user is not None else "")
    if email:
        result.append(("email", email.strip().lower()))
    return result


def confirmation_addresses(report: Report) -> list[tuple[str, str]]:
    """Where the tracking number and access code go: every phone and email the reporter gave
    (issue 3: "also sent by SMS/email when given"); the code is what lets them follow the report."""
    return _reporter_addresses(report)


def citizen_addresses(report: Report) -> list[tuple[str, str]]:
    """(channel, address) pairs for status news: every contact given, less those that opted out."""
    addresses = _reporter_addresses(report)
    if not addresses:
        return []
    opted_out = set(
        ContactOptOut.objects.filter(address__in=[to for _, to in addresses]).values_list(
            "address", flat=True
        )
    )
    return [(channel, to) for channel, to in addresses if to not in opted_out]


def contact_opt_out(*, addresses: Iterable[str], source: str) -> int:
    """Stop status news to these phone numbers / e-mail addresses; returns how many were new."""
    added = 0
    for address in {a.strip().lower() for a in addresses if a and a.strip()}:
        _, created = ContactOptOut.objects.get_or_create(
            address=address, defaults={"source": source, "created_at": clock.now()}
        )
        added += created
    return added


def contact_opt_in(*, addresses: Iterable[str]) -> int:
    """Status news again to these contacts."""
    deleted, _ = ContactOptOut.objects.filter(address__in=[a.strip().lower() for a in addresses]).delete()
    return deleted


def report_contacts_opted_out(report: Report) -> bool:
    """True when every contact of the report's reporter opted out of status news."""
    addresses = _reporter_addresses(report)
    return bool(addresses) and not citizen_addresses(report)


# --- queueing ----------------------------------------------------------------------------------


def _enqueue_delivery() -> None:
    from aduan.notifications.tasks import deliver_pending

    deliver_pending.enqueue()


def _delivery_after_commit() -> None:
    """One delivery task per transaction, however many messages it wrote.

    With the database task backend (production) the task is a row of this same database: it is
    written in the transaction, so it commits with the messages it is to deliver (or not at all),
    and the commit is the only one. Other backends (the immediate one runs the task at once)
    enqueue after commit."""
    if getattr(_local, "deferred", False):
        return
    if connection.in_atomic_block:
        if any(entry[1] in (_enqueue_delivery, _delivery_enqueued) for entry in connection.run_on_commit):
            return
        from aduan.notifications.tasks import deliver_pending
        from aduan.sla.tasks import enqueue_in_transaction, uses_database_backend

        if uses_database_backend():
            enqueue_in_transaction(deliver_pending)
            transaction.on_commit(_delivery_enqueued)  # marks this transaction as served
            return
    # robust: a broken task queue must not undo the citizen's committed action; the periodic
    # sweep delivers whatever is still pending.
    transaction.on_commit(_enqueue_delivery, robust=True)


def _delivery_enqueued() -> None:
    """Nothing to do after commit: the delivery task committed with the messages."""


def _outbound(
    *,
    report: Report | None,
    event: ReportEvent | None,
    keys: list[str],
    recipient_kind: str,
    channel: str,
    to: str,
    context: dict[str, Any],
    dedupe_key: str,
    secret: str = "",
) -> OutboundMessage | None:
    """The unsaved outbox row for one message, rendered from its template (None: no template)."""
    rendered = render(keys, channel, context)
    if rendered is None:
        return None
    key, subject, body = rendered
    now = clock.now()
    return rows.build(
        OutboundMessage,
        report=report,
        event=event,
        template_key=key,
        recipient_kind=recipient_kind,
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        secret=secret,
        dedupe_key=dedupe_key[:200],
        created_at=now,
        next_attempt_at=now,
    )


def message_queue(**fields: Any) -> OutboundMessage | None:
    """Write one message to the outbox (once per dedupe_key); it leaves after commit. The fields
    are _outbound's: report, event, keys, recipient_kind, channel, to, context, dedupe_key, secret."""
    if not fields.get("to") or getattr(_local, "suppressed", False):
        return None
    message = _outbound(**fields)
    if message is None:
        return None
    # No look-up first: the unique dedupe key turns a second write into an IntegrityError below.
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:  # another worker wrote the same message first
        return None
    _delivery_after_commit()
    return message


def notify_submitted(report: Report, access_code: str) -> None:
    """Queue the confirmation (tracking number and access code) to the reporter's phone/email.

    Call it inside the transaction that created the report, or right after; the messages leave
    after commit. Calling it twice for one report queues nothing more.
    """
    notify_submitted_many([(report, access_code)])


@in_site_language
def notify_submitted_many(submitted: Iterable[tuple[Report, str]]) -> int:
    """notify_submitted for a group of new reports (a group commit of the API): one multi-row
    INSERT into the outbox and one delivery task for all of them. Returns the messages written."""
    if getattr(_local, "suppressed", False):
        return 0
    messages: list[OutboundMessage] = []
    for report, access_code in submitted:
        context = base_context(report, staff=False) | {"access_code": access_code}
        for channel, to in confirmation_addresses(report):
            message = _outbound(
                report=report,
                event=None,
                keys=[template_for("submit", Audience.REPORTER)],
                recipient_kind=Kind.CITIZEN,
                channel=channel,
                to=to,
                context=context,
                dedupe_key=f"submitted:{report.pk}:{channel}:{to}",
                secret=access_code,
            )
            if message is not None:
                messages.append(message)
    if messages:
        # A second call for the same report meets the unique dedupe key and writes nothing more.
        # (Nothing is read back: inside the group commit's bulkinsert.atomic() these rows go
        # with the delivery task and the Idempotency-Key answers as one statement.)
        bulkinsert.write(messages, conflict=True)
        _delivery_after_commit()
    return len(messages)


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
    """Write the messages the matrix names for an audited action (runs inside its transaction)."""
    if event.action in SENT_BY_SERVICE:
        return  # the confirmation and a new code carry a secret the event never holds
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
    return str(event.data.get("step") or "") if isinstance(event.data, dict) else ""


def _applies(when: When, report: Report, event: ReportEvent) -> bool:
    data = event.data if isinstance(event.data, dict) else {}
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
        return _step_of(event) in (Step.VERIFICATION, Step.RETURNED)
    if when is When.AGENCY_STEP:
        return _step_of(event) == Step.FOLLOW_UP
    if when is When.LEVEL_1:
        return data.get("level") == 1
    if when is When.LEVEL_2:
        return data.get("level") == 2
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
    for to in _emails(emails):
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
    if getattr(_local, "suppressed", False):
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
            "text": subject[:200],
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
    if event.action == "return":
        returning = _agency_by_code(event.data.get("agency"))
        agency = returning.name if returning else ""
    _tell_staff(
        report, event, key, Kind.COORDINATOR, users=coordinators(), agency=agency, note=_staff_note(event)
    )


def _to_head(report: Report, event: ReportEvent, key: str) -> None:
    if _step_of(event) == Step.FOLLOW_UP and report.lead_agency is not None:
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
    return event.note if event.action in ("reply", "reopen", "return") else ""


def _to_reporter(report: Report, event: ReportEvent, key: str) -> None:
    context = base_context(report, staff=False) | {"note": _citizen_note(report, event)}
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
    if not created or raw or instance.action == "submit":
        return  # a submit's confirmation, with the access code, is notify_submitted's
    try:
        with transaction.atomic():
            messages_for_event(instance)
    except Exception:
        # A broken template must not undo a coordinator's action; the event stands, the
        # message is missing and the log says why (the body is not logged: it may be personal).
        logger.exception("could not queue messages for report event %s (%s)", instance.pk, instance.action)


def access_code_messages(
    *, report: Report, event: ReportEvent, access_code: str, to: list[tuple[str, str]]
) -> int:
    """The new access code to the contact that asked for it (the matrix's reset_access_code row)."""
    context = base_context(report, staff=False) | {"access_code": access_code}
    count = 0
    for channel, address in to:
        message = message_queue(
            report=report,
            event=event,
            keys=[template_for("reset_access_code", Audience.REPORTER)],
            recipient_kind=Kind.CITIZEN,
            channel=channel,
            to=address,
            context=context,
            dedupe_key=f"e{event.pk}:{channel}:{address}",
            secret=access_code,
        )
        count += message is not None
    return count


def forget_recipients(*, report_ids: list[int]) -> int:
    """Erasure on request (UU 27/2022): the citizen's messages about these reports lose their
    address and text; what was still waiting is not sent. Staff messages stay as they are."""
    citizen = OutboundMessage.objects.filter(report_id__in=report_ids, recipient_kind=Kind.CITIZEN)
    citizen.filter(state=OutboundMessage.State.PENDING).update(
        state=OutboundMessage.State.FAILED, last_error="dihapus atas permintaan pelapor"
    )
    return citizen.update(to="", subject="", body="", secret="", dedupe_key="")


def notices_mark_read(*, user: User, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the officer's notices read (all of them when no ids are given)."""
    unread = StaffNotice.objects.filter(user=user, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=list(notice_ids))
    return unread.update(read_at=clock.now())


def staff_preference_set(*, user: User, by_email: bool, in_console: bool) -> StaffPreference:
    """How the officer hears of their work; at least one way stays on (the default is both)."""
    if not by_email and not in_console:
        in_console = True
    preference, _ = StaffPreference.objects.update_or_create(
        user=user, defaults={"by_email": by_email, "in_console": in_console}
    )
    return preference


def report_news_set(*, report: Report, on: bool) -> None:
    """The reporter's switch on the tracking page: news to every contact of the report, or none."""
    addresses = [to for _channel, to in _reporter_addresses(report)]
    if on:
        contact_opt_in(addresses=addresses)
    else:
        contact_opt_out(addresses=addresses, source="portal")
