"""Which lifecycle events a webhook can carry, to which agencies, with what payload.

Written by a hook of the workflow's writer (`workflow.services.in_transaction_hooks`): it runs
inside the action's transaction, after the event row and the report's new state are written, so
a delivery row exists if and only if the action committed (a rolled-back action sends nothing, a
crash right after commit loses nothing). The payload is what an admin penghubung of the receiving
agency may see of the report at that moment, through the same selectors as the console and API:
an anonymous reporter's identity never, free text of an anonymous report masked, an anonymous
report's place as a grid cell; nothing but the tracking number and state once the report has left
the agency (returned or re-disposed elsewhere).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.language import in_site_language
from aduan.core.roles import Role
from aduan.directory.models import Agency
from aduan.intake.models import AGENCY_STEPS, Report, Status
from aduan.webhooks.models import WebhookDelivery, WebhookSubscription
from aduan.workflow.models import Disposition, ReportEvent
from aduan.workflow.selectors import (
    citizen_words_for,
    code_name,
    report_fields_for,
    reporter_visible_to,
    reports_visible_to,
)
from aduan.workflow.transitions import event_label

logger = logging.getLogger(__name__)
PAYLOAD_VERSION = 1

# The fixed list of event types (docs/webhooks.md), in lifecycle order, with what each means.
EVENT_TYPES: dict[str, Any] = {
    "report.disposed": _("Laporan didisposisikan (atau didisposisikan ulang) ke instansi ini"),
    "report.withdrawn": _("Disposisi ke instansi ini dicabut (didisposisikan ulang ke instansi lain)"),
    "report.returned": _("Instansi ini mengembalikan laporan sebagai bukan kewenangan"),
    "report.follow_up_published": _("Tindak lanjut dipublikasikan kepada pelapor"),
    "report.reply_received": _("Pelapor menanggapi tindak lanjut"),
    "report.reopened": _("Pelapor membuka kembali laporan"),
    "report.rated": _("Pelapor memberi penilaian"),
    "report.closed": _("Laporan selesai (oleh pelapor, instansi, koordinator atau sistem)"),
    "report.deadline_near": _("Batas waktu tindak lanjut instansi ini mendekat"),
    "report.overdue": _("Batas waktu tindak lanjut instansi ini terlewati (eskalasi)"),
}

# Lifecycle action → event type, for the actions whose event concerns the agencies handling it.
# dispose/redispose (and withdrawn), return, remind and escalate are decided in `_types_for`.
_ACTION_TYPES = {
    "follow_up": "report.follow_up_published",
    "reply": "report.reply_received",
    "reopen": "report.reopened",
    "rate": "report.rated",
    "complete": "report.closed",
    "auto_close": "report.closed",
    "close": "report.closed",
}
# What of an event's data the receiver gets beside the note (never the staff-only bookkeeping).
_DATA_KEYS = ("lead", "supporting", "instruction", "score", "follow_up_id", "level", "step", "due_at")


def _active_agencies(report_id: int) -> list[int]:
    return list(
        Disposition.objects.filter(report_id=report_id, is_active=True).values_list("agency_id", flat=True)
    )


def _types_for(event: ReportEvent, report: Report) -> dict[str, list[int]]:
    """Event type → the agencies (ids) it concerns."""
    action = event.action
    if action in ("dispose", "redispose"):
        codes = [event.data.get("lead"), *(event.data.get("supporting") or [])]
        disposed = list(Agency.objects.filter(code__in=[c for c in codes if c]).values_list("pk", flat=True))
        # A re-disposition withdrew every earlier disposition at the event's moment.
        withdrawn = Disposition.objects.filter(
            report_id=event.report_id, state=Disposition.State.WITHDRAWN, ended_at=event.created_at
        ).exclude(agency_id__in=disposed)
        return {
            "report.disposed": disposed,
            "report.withdrawn": list(withdrawn.values_list("agency_id", flat=True).distinct()),
        }
    if action == "return":
        agency = event.actor_agency_id
        return {"report.returned": [agency] if agency else []}
    if action in ("remind", "escalate"):
        if event.data.get("step") not in AGENCY_STEPS or report.lead_agency_id is None:
            return {}
        kind = "report.deadline_near" if action == "remind" else "report.overdue"
        return {kind: [report.lead_agency_id]}
    if action in _ACTION_TYPES:
        return {_ACTION_TYPES[action]: _active_agencies(event.report_id)}
    return {}


def agency_viewer(agency_id: int) -> Actor:
    """Whom a webhook speaks to: an admin penghubung of the receiving agency (what its staff
    may see through the console and API, never more)."""
    return Actor(role=Role.OPD_ADMIN, agency_id=agency_id, label="webhook")


def _report_view(viewer: Actor, report_id: int) -> tuple[dict[str, Any], bool]:
    """The report as `viewer` may see it now, and whether it may see it at all."""
    report = (
        reports_visible_to(viewer)
        .filter(pk=report_id)
        .select_related("category", "kecamatan", "desa", "lead_agency")
        .first()
    )
    if report is None:
        # Returned or re-disposed elsewhere: the agency no longer sees the report.
        row = Report.objects.filter(pk=report_id).values("tracking_number", "status").get()
        return {
            "tracking_number": row["tracking_number"],
            "status": row["status"],
            "status_label": str(Status(row["status"]).label),
        }, False
    reporter = reporter_visible_to(viewer, report)
    return {
        **report_fields_for(viewer, report),
        "classification": report.classification or None,
        "lead_agency": code_name(report.lead_agency),
        "due_at": report.due_at,
        "reporter": {"name": reporter.name, "phone": reporter.phone, "email": reporter.email}
        if reporter is not None
        else None,
    }, True


def _action_view(viewer: Actor, event: ReportEvent, *, visible: bool) -> dict[str, Any]:
    note = ""
    if visible:
        note = event.note
        if event.actor_role == Role.CITIZEN:
            # A reply, reopen reason or rating comment: masked for an anonymous report, as the API does.
            report = Report.objects.get(pk=event.report_id)
            note = citizen_words_for(viewer, report)(note)
    data = {key: event.data[key] for key in _DATA_KEYS if visible and key in event.data}
    return {
        "name": event.action,
        "label": event_label(event.action),
        "from_status": event.from_status or None,
        "to_status": event.to_status,
        "actor_role": event.actor_role,
        "actor_agency": event.actor_agency.code if event.actor_agency_id and event.actor_agency else None,
        "note": note,
        "data": data,
    }


def body_bytes(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


@in_site_language
def deliveries_write(event: ReportEvent) -> list[WebhookDelivery]:
    """One delivery per active subscription that wants this event and whose agency it concerns
    (inside the action's transaction)."""
    report = event.report
    by_type = _types_for(event, report)
    if not any(by_type.values()):
        return []
    agency_ids = {agency for ids in by_type.values() for agency in ids}
    subscriptions = list(
        WebhookSubscription.objects.filter(
            is_active=True, agency_id__in=agency_ids, agency__is_active=True
        ).select_related("agency")
    )
    written: list[WebhookDelivery] = []
    views: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    now = clock.now()
    for event_type, ids in by_type.items():
        for subscription in subscriptions:
            if subscription.agency_id not in ids or event_type not in subscription.events:
                continue
            if subscription.agency_id not in views:
                viewer = agency_viewer(subscription.agency_id)
                report_view, visible = _report_view(viewer, event.report_id)
                views[subscription.agency_id] = (report_view, _action_view(viewer, event, visible=visible))
            report_view, action_view = views[subscription.agency_id]
            message_id = uuid.uuid4()
            payload = {
                "version": PAYLOAD_VERSION,
                "type": event_type,
                "delivery_id": str(message_id),
                "occurred_at": event.created_at,
                "agency": subscription.agency.code,
                "report": report_view,
                "action": action_view,
            }
            written.append(
                WebhookDelivery.objects.create(
                    subscription=subscription,
                    event=event,
                    report_id=event.report_id,
                    message_id=message_id,
                    event_type=event_type,
                    body=body_bytes(payload),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    return written


def on_report_event(event: ReportEvent) -> None:
    """workflow.services.in_transaction_hooks: write the event's deliveries in its transaction."""
    if event.action not in _HANDLED:
        return
    try:
        with transaction.atomic():
            deliveries_write(event)
    except Exception:
        # A fault here must not undo an officer's action: the event stands, the delivery is
        # missing and the log says why.
        logger.exception(
            "could not write webhook deliveries for report event %s (%s)", event.pk, event.action
        )


_HANDLED = frozenset({"dispose", "redispose", "return", "remind", "escalate", *_ACTION_TYPES})
