from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest

from aduan.api.models import ApiToken
from aduan.api.services import token_create


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made here (the secret is shown once, in a message) and revoked by ticking `revoked`."""

    list_display = ["name", "prefix", "user", "channel", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked", "channel"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    raw_id_fields = ["user"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["user", "name", "channel"]
        return ["user", "name", "channel", "prefix", "created_at", "last_used_at", "revoked"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["prefix", "created_at", "last_used_at"] + (["user"] if obj is not None else [])

    def save_model(self, request: HttpRequest, obj: ApiToken, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = token_create(user=obj.user, name=obj.name, channel=obj.channel)
        obj.pk, obj.digest, obj.prefix, obj.created_at = (
            token.pk,
            token.digest,
            token.prefix,
            token.created_at,
        )
        messages.warning(request, f"Token baru (simpan sekarang, tidak akan ditampilkan lagi): {raw}")
