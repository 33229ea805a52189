"""Admin: subscriptions (made through the API, switched on/off here) and deliveries (read-only,
with a retry action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aduan.webhooks.models import WebhookDelivery, WebhookSubscription
from aduan.webhooks.services import deliveries_retry


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["agency", "url", "is_active", "created_at"]
    list_filter = ["is_active", "agency"]
    search_fields = ["url", "agency__code", "agency__name"]
    # The URL is checked against private addresses (SSRF) by the service: made through the API only.
    readonly_fields = ["agency", "url", "events", "created_by", "created_at"]
    fields = ["agency", "url", "events", "description", "is_active", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "event_type",
        "subscription",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "sent_at",
    ]
    list_filter = ["state", "event_type", "subscription__agency"]
    search_fields = ["message_id", "report__tracking_number", "subscription__url"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    list_select_related = ["subscription", "subscription__agency"]
    raw_id_fields = ["report", "event", "subscription"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Kirim ulang kiriman yang gagal"), permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = deliveries_retry(delivery_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request, _("%(count)d kiriman dijadwalkan ulang.") % {"count": count}, messages.SUCCESS
        )
