"""Telling people what happened: messages are written to the outbox, delivered after commit.

Why a post_save handler on ReportEvent rather than an after-commit hook: the outbox row must
exist if and only if the event does. Written in the same transaction as the event (which
`report_act` writes inside its transaction), a rolled-back action leaves no message and a crash
right after commit loses none; an after-commit hook that derives messages later could be lost
between the commit and the hook. Delivery happens after commit: `aduan worker` claims due rows
straight from the outbox (the immediate task backend of development runs a delivery task after
commit instead), so no gateway is ever called while a transaction holds the report row.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from aduan.core import bulkinsert, clock, rows
from aduan.core.language import in_site_language
from aduan.core.roles import Role
from aduan.directory.models import Agency
from aduan.intake.models import ArchiveReason, Channel, ClosedBy, Report, Reporter, Status
from aduan.notifications.models import OutboundMessage
from aduan.notifications.texts import format_due, render
from aduan.workflow.models import ReportEvent

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
    """Queue messages without delivery after each transaction: for sweeps that write many and
    deliver them themselves at the end."""
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


def agency_addresses(agency: Agency) -> list[str]:
    """The agency's admins (admin penghubung; the APIP's auditors) and its own mailbox."""
    from aduan.accounts.models import User

    users = User.objects.filter(agency=agency, is_active=True, role__in=[Role.OPD_ADMIN, Role.APIP]).exclude(
        email=""
    )
    return _emails([*users.values_list("email", flat=True), agency.email])


def coordinator_addresses() -> list[str]:
    from aduan.accounts.models import User

    users = User.objects.filter(role=Role.COORDINATOR, is_active=True).exclude(email="")
    return _emails(users.values_list("email", flat=True))


def coordinating_heads() -> list[str]:
    """Heads of the agencies the coordinators work in (level-2 escalation of coordinator steps)."""
    from aduan.accounts.models import User

    agency_ids = User.objects.filter(role=Role.COORDINATOR, is_active=True).values_list(
        "agency_id", flat=True
    )
    heads = Agency.objects.filter(Q(pk__in=agency_ids) | Q(kind=Agency.Kind.COORDINATOR))
    return _emails(heads.values_list("head_email", flat=True))


def _reporter_addresses(report: Report, *, sms: bool) -> list[tuple[str, str]]:
    reporter: Reporter | None = report.reporter
    if reporter is None:
        return []
    result: list[tuple[str, str]] = []
    if sms and reporter.phone:
        result.append(("sms", reporter.phone))
    email = reporter.email or (reporter.user.email if reporter.user is not None else "")
    if email:
        result.append(("email", email.strip().lower()))
    return result


def confirmation_addresses(report: Report) -> list[tuple[str, str]]:
    """Where the tracking number and access code go: every phone and email the reporter gave
    (issue 3: "also sent by SMS/email when given"); the code is what lets them follow the report."""
    return _reporter_addresses(report, sms=True)


def citizen_addresses(report: Report) -> list[tuple[str, str]]:
    """(channel, address) pairs for status news: SMS for a report sent by SMS, email when given."""
    return _reporter_addresses(report, sms=report.channel == Channel.SMS)


# --- queueing ----------------------------------------------------------------------------------


def _enqueue_delivery() -> None:
    from aduan.notifications.tasks import deliver_pending

    deliver_pending.enqueue()


def _delivery_after_commit() -> None:
    """Have this transaction's messages delivered once it has committed.

    With the database task backend (production) nothing is queued: `aduan worker` claims due
    messages straight from the outbox (aduan/notifications/delivery.py), so a transaction adds
    no row to the task queue and the outbox rows, committed with the action, are all the worker
    needs (issue 12: a delivery task per group commit left ~19,000 tasks behind a load run).
    Other backends (the immediate one runs the task at once) enqueue after commit."""
    if getattr(_local, "deferred", False):
        return
    from aduan.sla.tasks import uses_database_backend

    if uses_database_backend():
        return
    if connection.in_atomic_block and any(
        entry[1] is _enqueue_delivery for entry in connection.run_on_commit
    ):
        return
    # robust: a broken task queue must not undo the citizen's committed action; the periodic
    # sweep delivers whatever is still pending.
    transaction.on_commit(_enqueue_delivery, robust=True)


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
    INSERT into the outbox for all of them. Returns the messages written."""
    if getattr(_local, "suppressed", False):
        return 0
    messages: list[OutboundMessage] = []
    for report, access_code in submitted:
        context = base_context(report, staff=False) | {"access_code": access_code}
        for channel, to in confirmation_addresses(report):
            message = _outbound(
                report=report,
                event=None,
                keys=["citizen.submitted"],
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
        # with the reports and the Idempotency-Key answers as one statement.)
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
    """Derive the outbox rows an audited action calls for (runs inside its transaction)."""
    if event.action == "submit":
        return  # the confirmation, with the access code, is notify_submitted's
    report = Report.objects.select_related("reporter", "reporter__user", "lead_agency").get(
        pk=event.report_id
    )
    _to_citizens(report, event)
    if event.action in ("dispose", "redispose"):
        codes = [event.data.get("lead"), *(event.data.get("supporting") or [])]
        # The OPD needs the coordinator's instruction, which the public note leaves out.
        note = "\n".join(filter(None, [event.note, str(event.data.get("instruction") or "")]))
        for agency in Agency.objects.filter(code__in=[c for c in codes if c]):
            _email_staff(
                report, event, "agency.disposed", Kind.AGENCY, agency_addresses(agency), agency.name, note
            )
    if event.action == "return":
        returning = Agency.objects.filter(code=event.data.get("agency")).first()
        name = returning.name if returning else ""
        _email_staff(
            report, event, "coordinator.returned", Kind.COORDINATOR, coordinator_addresses(), name, event.note
        )


def _email_staff(
    report: Report, event: ReportEvent, key: str, kind: str, addresses: Iterable[str], agency: str, note: str
) -> None:
    context = base_context(report, staff=True) | {"agency": agency, "note": note}
    for to in addresses:
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


def _to_citizens(report: Report, event: ReportEvent) -> None:
    # The citizen hears of every change of state of their report, on public events only. Not of
    # the submission (notify_submitted carries the access code), nor of what they did themselves
    # (the screen or the SMS reply they just got already says so).
    if not event.is_public or event.from_status == event.to_status:
        return
    if event.action == "submit" or event.actor_role == Role.CITIZEN:
        return
    context = base_context(report, staff=False) | {"note": _citizen_note(report, event)}
    keys = [f"citizen.{event.action}", "citizen.status"]
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
                keys=keys,
                recipient_kind=Kind.CITIZEN,
                channel=channel,
                to=to,
                context=context,
                dedupe_key=f"e{event.pk}:{channel}:{to}",
            )


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


@in_site_language
def deadline_messages(
    *, report: Report, kind: str, level: int, recipients: list[tuple[str, str, str]], moment: dt.datetime
) -> int:
    """Reminder/escalation emails for a report's current step: recipients are (recipient kind,
    template key, address). Once per step and level (the step's start is in the dedupe key)."""
    started = report.step_started_at.isoformat() if report.step_started_at else ""
    context = base_context(report, staff=True) | {"level": level}
    count = 0
    for recipient_kind, key, to in recipients:
        message = message_queue(
            report=report,
            event=None,
            keys=[key],
            recipient_kind=recipient_kind,
            channel="email",
            to=to,
            context=context,
            dedupe_key=f"{kind}{level}:{report.pk}:{started}:{to}",
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
