"""Telling people what happened: messages are written to the outbox, delivered after commit.

Which messages an audited event calls for is `events` (the notification matrix applied, in the
event's transaction); who they go to is `recipients`. The outbox row exists if and only if the
event does: written in the event's transaction, a rolled-back action leaves no message and a crash
right after commit loses none. Delivery happens after commit: `aduan worker` claims due rows
straight from the outbox (the immediate task backend of development runs a delivery task after
commit instead), so no gateway is ever called while a transaction holds the report row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from aduan.core import bulkinsert, clock, rows
from aduan.core.language import in_site_language
from aduan.core.requestlog import current_request_id
from aduan.intake.models import ClosedBy, Report, Status, Step
from aduan.notifications.matrix import Audience, template_for
from aduan.notifications.models import OutboundMessage, StaffNotice
from aduan.notifications.recipients import reporter_addresses
from aduan.notifications.texts import format_due, render
from aduan.workflow.models import ReportEvent

if TYPE_CHECKING:
    from aduan.accounts.models import User

logger = logging.getLogger(__name__)

Kind = OutboundMessage.RecipientKind


_local = threading.local()
# Read once: the confirmation's template (the matrix is a constant) and the step labels (lazy
# translations, rendered in the caller's language by str()), not per report on the intake path.
_SUBMITTED_TEMPLATE = template_for("submit", Audience.REPORTER)
_STEP_LABELS = dict(Step.choices)


def is_suppressed() -> bool:
    return bool(getattr(_local, "suppressed", False))


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
    # Outside a request get_urlconf() is None, which means settings.ROOT_URLCONF: key by that
    # (a None key would keep the links of whichever URL configuration was current first).
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    template = _tracking_template(urlconf, get_script_prefix(), settings.SITE_URL)
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
    # Staff mail goes to OPDs and heads of OPD too: an anonymous report's title as the public reads
    # it (its personal data masked at verification), whoever the addressee.
    anonymous_to_staff = staff and report.is_anonymous and report.public_title
    return {
        "tracking_number": report.tracking_number,
        "title": report.public_title if anonymous_to_staff else report.display_title,
        "status": public_status(report),
        "due": format_due(report.due_at),
        "agency": report.lead_agency.name if report.lead_agency_id else "",  # type: ignore[union-attr]
        "note": "",
        "step": str(_STEP_LABELS.get(report.step, "")),
        "url": console_url(report) if staff else tracking_url(report),
    }


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
    request_id: str | None = None,
) -> OutboundMessage | None:
    """The unsaved outbox row for one message, rendered from its template (None: no template);
    it records the request it was written for (this thread's, unless `request_id` says)."""
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
        request_id=(current_request_id() if request_id is None else request_id) or None,
    )


def message_queue(**fields: Any) -> OutboundMessage | None:
    """Write one message to the outbox (once per dedupe_key); it leaves after commit. The fields
    are _outbound's: report, event, keys, recipient_kind, channel, to, context, dedupe_key, secret."""
    if not fields.get("to") or is_suppressed():
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
def notify_submitted_many(
    submitted: Iterable[tuple[Report, str]], *, request_ids: Iterable[str] | None = None
) -> int:
    """notify_submitted for a group of new reports (a group commit of the API): one multi-row
    INSERT into the outbox for all of them. Returns the messages written. `request_ids`, one per
    report: the requests they came in (a group is written by one of them for all)."""
    if is_suppressed():
        return 0
    messages: list[OutboundMessage] = []
    ids = iter(request_ids) if request_ids is not None else None
    for report, access_code in submitted:
        request_id = next(ids) if ids is not None else None
        context = base_context(report, staff=False) | {"access_code": access_code}
        # Every phone and email the reporter gave, opted out or not (issue 3: "also sent by
        # SMS/email when given"): the code is what lets them follow the report.
        for channel, to in reporter_addresses(report):
            message = _outbound(
                report=report,
                event=None,
                keys=[_SUBMITTED_TEMPLATE],
                recipient_kind=Kind.CITIZEN,
                channel=channel,
                to=to,
                context=context,
                dedupe_key=f"submitted:{report.pk}:{channel}:{to}",
                secret=access_code,
                request_id=request_id,
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
    """Erasure, on request or by retention (UU 27/2022): the citizen's messages about these reports lose their
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
