"""The lifecycle's events that concern a peer become messages, in the action's own transaction
(workflow.services.in_transaction_hooks): the message commits with the action or not at all."""

from __future__ import annotations

from aduan.core import clock
from aduan.core.errors import InvalidInput
from aduan.federation.models import Link, Peer, PeerAgency
from aduan.federation.services import forward_payload, message_enqueue, update_payload
from aduan.intake.models import Channel, Report
from aduan.workflow.models import FollowUp, Forwarding, ReportEvent
from aduan.workflow.transitions import event_label


def on_event(event: ReportEvent) -> None:
    action = event.action
    if action == "submit":
        return  # the intake lane: nothing to look up
    if action == "forward":
        _forward(event)
    elif action == "relay":
        _relay(event)
    elif event.report.channel == Channel.INSTANSI:
        _inbound(event)


def _outbound_link(report: Report, peer: Peer) -> Link:
    link, _ = Link.objects.get_or_create(
        peer=peer,
        direction=Link.Direction.OUTBOUND,
        origin_tracking_number=report.tracking_number,
        defaults={"report": report, "created_at": clock.now()},
    )
    return link


def _forward(event: ReportEvent) -> None:
    code = str(event.data.get("agency", ""))
    target = PeerAgency.objects.select_related("peer").filter(agency__code=code).first()
    if target is None or target.peer.state != Peer.State.ACTIVE:
        # Raised inside the action's transaction: the forward does not happen at all.
        raise InvalidInput(
            "Instansi ini tidak terhubung ke instalasi mitra yang aktif.",
            code="agency_not_at_peer",
            field="agency",
        )
    report = event.report
    Forwarding.objects.filter(report_id=report.pk, is_active=True).update(destination=target.peer.name)
    message_enqueue(
        link=_outbound_link(report, target.peer),
        type="report.forward",
        payload=forward_payload(report, agency_code=target.remote_code, note=str(event.data.get("note", ""))),
    )


def _relay(event: ReportEvent) -> None:
    forwarding = Forwarding.objects.filter(report_id=event.report_id, is_active=True).first()
    target = (
        PeerAgency.objects.select_related("peer")
        .filter(agency_id=getattr(forwarding, "agency_id", 0))
        .first()
    )
    if target is None:
        raise InvalidInput("Instansi penerima tidak lagi terhubung.", code="agency_not_at_peer")
    payload = {
        k: v for k, v in event.data.items() if k in ("kind", "answer", "text", "reason", "score", "comment")
    }
    message_enqueue(link=_outbound_link(event.report, target.peer), type="report.citizen", payload=payload)


def _inbound(event: ReportEvent) -> None:
    link = Link.objects.filter(report_id=event.report_id, direction=Link.Direction.INBOUND).first()
    if link is None:
        return
    report = event.report
    if event.action == "return_to_origin":
        message_enqueue(
            link=link,
            type="report.returned",
            payload={"tracking_number": report.tracking_number, "reason": event.note},
        )
        return
    if not event.is_public:
        return  # staff-only steps stay here, as they stay off the citizen's page
    follow_up = ""
    if event.action == "follow_up" and event.data.get("follow_up_id"):
        # The masked text, as the public and the citizen read it.
        follow_up = (
            FollowUp.objects.filter(pk=event.data["follow_up_id"])
            .values_list("public_text", flat=True)
            .first()
            or ""
        )
    payload = update_payload(
        report,
        label=event_label(event.action),
        note="" if follow_up else event.public_note,
        follow_up=follow_up,
    )
    message_enqueue(link=link, type="report.update", payload=payload)
