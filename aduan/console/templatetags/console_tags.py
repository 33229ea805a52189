"""Small display helpers for console templates (no access decisions here)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode

from aduan.intake.models import Status

register = template.Library()

_BADGES = {
    Status.SELESAI: "badge-done",
    Status.DIARSIPKAN: "badge-archived",
    Status.DITUNDA: "badge-hold",
    Status.DITANGGAPI_PELAPOR: "badge-returned",
}


@register.filter
def status_badge(status: str) -> str:
    return _BADGES.get(status, "badge-open")  # type: ignore[call-overload]


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def page_url(query_string: str, page: int) -> str:
    prefix = f"{query_string}&" if query_string else ""
    return f"?{prefix}{urlencode({'hal': page})}"
