"""Reads for screens: an officer's notices, a report's messages with their delivery state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aduan.notifications.models import MessageChannel, OutboundMessage, StaffNotice

if TYPE_CHECKING:
    from aduan.accounts.models import User
    from aduan.intake.models import Report

State = OutboundMessage.State
Kind = OutboundMessage.RecipientKind


def notices_unread_count(user: User) -> int:
    return StaffNotice.objects.filter(user=user, read_at__isnull=True).count()


def notices_for(user: User, *, limit: int = 50) -> QuerySet[StaffNotice]:
    return (
        StaffNotice.objects.filter(user=user).select_related("report").order_by("-created_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class Delivery:
    created_at: object
    recipient: str
    to: str
    channel: str
    template_key: str
    state: str  # pending, retrying, sent, failed (a CSS modifier too)
    label: str
    attempts: int
    last_error: str


def report_deliveries(report: Report, *, show_citizen_address: bool) -> list[Delivery]:
    """Every message about the report, oldest first, with where it stands: queued, sent, retried
    (queued again after a failed attempt) or failed. The citizen's address only for those who may
    see the reporter; the body never (it may carry an access code until sent)."""
    rows = []
    for m in OutboundMessage.objects.filter(report=report).order_by("created_at", "pk"):
        if m.state == State.PENDING and m.attempts > 0:
            state, label = "retrying", _("Dicoba ulang (percobaan ke-%(n)d gagal)") % {"n": m.attempts}
        elif m.state == State.PENDING:
            state, label = "pending", _("Menunggu dikirim")
        elif m.state == State.SENT:
            state, label = "sent", _("Terkirim")
        else:
            state, label = "failed", _("Gagal")
        hidden = m.recipient_kind == Kind.CITIZEN and not show_citizen_address
        rows.append(
            Delivery(
                created_at=m.sent_at or m.created_at,
                recipient=str(Kind(m.recipient_kind).label) if m.recipient_kind in Kind.values else "",
                to="" if hidden else m.to,
                channel=str(MessageChannel(m.channel).label)
                if m.channel in MessageChannel.values
                else m.channel,
                template_key=m.template_key,
                state=state,
                label=label,
                attempts=m.attempts,
                last_error="" if state == "sent" else m.last_error[:200],
            )
        )
    return rows
