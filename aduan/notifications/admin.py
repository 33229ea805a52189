"""Admin for the message texts (editable) and the outbox (read-only, with a retry action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aduan.core import clock
from aduan.notifications.models import ContactOptOut, MessageTemplate, OutboundMessage, StaffNotice


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "channel", "subject", "is_active", "updated_at"]
    list_filter = ["channel", "is_active"]
    search_fields = ["key", "subject", "body"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["key", "channel", "is_active"]}),
        (
            _("Teks"),
            {
                "fields": ["subject", "body", "updated_at"],
                "description": _(
                    "Isian: {tracking_number}, {status}, {title}, {note}, {due}, {agency}, {url}, {step}, "
                    "{access_code} (konfirmasi laporan, kode akses baru), {level}. SMS (juga WhatsApp) "
                    "sebaiknya muat 160 karakter. Siapa menerima templat mana: docs/notifications.md. "
                    "Sintaks templat Django "
                    "({{ note }}, {% if note %}) juga boleh."
                ),
            },
        ),
    ]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "to", "template_key", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel", "recipient_kind", "template_key"]
    search_fields = ["to", "report__tracking_number"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    list_select_related = ["report"]
    raw_id_fields = ["report", "event"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Kirim ulang pesan yang gagal"), permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        count = queryset.filter(state=OutboundMessage.State.FAILED).update(
            state=OutboundMessage.State.PENDING, attempts=0, next_attempt_at=clock.now(), last_error=""
        )
        self.message_user(request, _("%(n)d pesan dijadwalkan ulang.") % {"n": count}, messages.SUCCESS)


@admin.register(ContactOptOut)
class ContactOptOutAdmin(admin.ModelAdmin):
    list_display = ["address", "source", "created_at"]
    search_fields = ["address"]


@admin.register(StaffNotice)
class StaffNoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "text", "read_at"]
    list_filter = ["template_key"]
    raw_id_fields = ["user", "report", "event"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
