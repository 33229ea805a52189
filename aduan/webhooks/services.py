"""Writes of webhook subscriptions and deliveries: typed, keyword-only, scoped to the actor."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.errors import InvalidInput, NotFound, PermissionDenied
from aduan.core.roles import Role
from aduan.directory.models import Agency
from aduan.webhooks.events import EVENT_TYPES
from aduan.webhooks.models import WebhookDelivery, WebhookSubscription
from aduan.webhooks.selectors import MANAGING_ROLES, subscriptions_visible_to
from aduan.webhooks.targets import target_check

# Subscriptions one agency may have: a few systems, not a fan-out amplifier.
MAX_PER_AGENCY = 10
ERASED = "dihapus atas permintaan pelapor"


def _require_manager(actor: Actor) -> None:
    if actor.role not in MANAGING_ROLES:
        raise PermissionDenied(
            "Hanya admin koordinator dan admin penghubung OPD yang mengelola webhook.",
            code="role_not_allowed",
        )


def _agency_for(actor: Actor, agency_code: str | None) -> Agency:
    if actor.role == Role.OPD_ADMIN:
        own = Agency.objects.filter(pk=actor.agency_id).first() if actor.agency_id is not None else None
        if own is None:
            raise PermissionDenied("Akun ini tidak terhubung ke instansi.", code="no_agency")
        if agency_code and agency_code != own.code:
            raise PermissionDenied(
                "Admin OPD hanya mengelola webhook instansinya sendiri.",
                code="not_your_agency",
                field="agency",
            )
        return own
    if not agency_code:
        raise InvalidInput("Sebutkan kode instansi.", code="agency_required", field="agency")
    agency = Agency.objects.filter(code=agency_code, is_active=True).first()
    if agency is None:
        raise InvalidInput(f"Instansi {agency_code!r} tidak dikenal.", code="unknown_agency", field="agency")
    return agency


def _event_types(events: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(events))
    if not wanted:
        raise InvalidInput("Pilih sedikitnya satu peristiwa.", code="events_required", field="events")
    unknown = [e for e in wanted if e not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            f"Peristiwa tidak dikenal: {', '.join(unknown)}.", code="unknown_event", field="events"
        )
    # Kept in the documented order, whatever order they came in.
    return [e for e in EVENT_TYPES if e in wanted]


def subscription_create(
    *,
    actor: Actor,
    url: str,
    events: Iterable[str],
    agency_code: str | None = None,
    description: str = "",
    is_active: bool = True,
) -> WebhookSubscription:
    """A new subscription of an agency's system (the actor's own agency for an OPD admin)."""
    _require_manager(actor)
    agency = _agency_for(actor, agency_code)
    event_types = _event_types(events)
    target_check(url.strip())
    with transaction.atomic():
        # Lock the agency row: two requests at once must not both pass the count.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        if WebhookSubscription.objects.filter(agency=agency).count() >= MAX_PER_AGENCY:
            raise InvalidInput(
                f"Satu instansi paling banyak {MAX_PER_AGENCY} langganan webhook.",
                code="too_many_subscriptions",
            )
        return WebhookSubscription.objects.create(
            agency=agency,
            url=url.strip(),
            events=event_types,
            is_active=is_active,
            description=description.strip()[:200],
            created_by=actor.user,
            created_at=clock.now(),
        )


def subscription_delete(*, actor: Actor, subscription_id: int) -> None:
    """Delete a subscription the actor may see, with its deliveries; another agency's answers as a
    missing one (no existence oracle)."""
    _require_manager(actor)
    deleted, _rows = subscriptions_visible_to(actor=actor).filter(pk=subscription_id).delete()
    if not deleted:
        raise NotFound("Langganan webhook tidak ditemukan.", code="webhook_not_found")


def deliveries_retry(*, delivery_ids: Iterable[int]) -> int:
    """Send failed deliveries again from the first attempt (Django admin's action); a delivery
    erased at a reporter's request stays as it is. Returns how many were queued."""
    return (
        WebhookDelivery.objects.filter(pk__in=list(delivery_ids), state=WebhookDelivery.State.FAILED)
        .exclude(body="")
        .update(
            state=WebhookDelivery.State.PENDING,
            attempts=0,
            next_attempt_at=clock.now(),
            last_error="",
            last_status_code=None,
        )
    )


def deliveries_forget(*, report_ids: list[int]) -> int:
    """Erasure (UU 27/2022): the deliveries about these reports lose their body (which may carry
    the reporter's identity); what was still waiting is not sent."""
    about = WebhookDelivery.objects.filter(report_id__in=report_ids)
    about.filter(state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED, next_attempt_at=None, last_error=ERASED
    )
    return about.update(body="")
