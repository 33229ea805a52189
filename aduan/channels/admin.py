from django.contrib import admin
from django.http import HttpRequest

from aduan.channels.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    """Read-only: what arrived and what became of it (messages with outcome `error` need a person)."""

    list_display = ("received_at", "channel", "gateway", "sender", "outcome", "report")
    list_filter = ("channel", "gateway", "outcome")
    search_fields = ("sender", "gateway_id", "report__tracking_number")
    date_hierarchy = "received_at"
    list_select_related = ("report",)
    # The stored reply may hold an access code until it is pruned: not shown.
    exclude = ("reply",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False
