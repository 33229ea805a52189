"""Reads of webhook subscriptions, scoped to who asks: an OPD admin sees its own agency's only."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from aduan.core.actors import Actor
from aduan.core.roles import Role
from aduan.webhooks.models import WebhookDelivery, WebhookSubscription

# Who manages subscriptions: the coordinator every agency's, an admin penghubung its own agency's.
MANAGING_ROLES = frozenset({Role.COORDINATOR, Role.OPD_ADMIN})


def subscriptions_visible_to(*, actor: Actor) -> QuerySet[WebhookSubscription]:
    """The subscriptions `actor` may list and delete; none for any other role."""
    subscriptions = WebhookSubscription.objects.select_related("agency")
    if actor.role == Role.COORDINATOR:
        return subscriptions
    if actor.role == Role.OPD_ADMIN and actor.agency_id is not None:
        return subscriptions.filter(agency_id=actor.agency_id)
    return subscriptions.none()


def subscriptions_with_status(*, actor: Actor) -> QuerySet[WebhookSubscription]:
    """subscriptions_visible_to with the last delivery's state, HTTP status, error and time, and
    the counts of pending and failed deliveries (the API's list)."""
    last = WebhookDelivery.objects.filter(subscription=OuterRef("pk")).order_by("-created_at", "-pk")
    return subscriptions_visible_to(actor=actor).annotate(
        last_state=Subquery(last.values("state")[:1]),
        last_status_code=Subquery(last.values("last_status_code")[:1]),
        last_error=Subquery(last.values("last_error")[:1]),
        last_created_at=Subquery(last.values("created_at")[:1]),
        last_event_type=Subquery(last.values("event_type")[:1]),
        pending_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)),
        failed_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
    )


def delivery_state(*, subscription: WebhookSubscription) -> dict[str, Any] | None:
    """The last delivery of a subscription from subscriptions_with_status, or None."""
    state = getattr(subscription, "last_state", None)
    if state is None:
        return None
    return {
        "event_type": subscription.last_event_type,  # type: ignore[attr-defined]
        "state": state,
        "status_code": subscription.last_status_code,  # type: ignore[attr-defined]
        "error": subscription.last_error or "",  # type: ignore[attr-defined]
        "created_at": subscription.last_created_at,  # type: ignore[attr-defined]
    }
