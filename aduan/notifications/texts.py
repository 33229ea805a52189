"""Turning a MessageTemplate and a context into a subject and body."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, cast

from django.template import Context, Template

from aduan.core import clock
from aduan.core.scoped import ScopedCache
from aduan.notifications.defaults import DEFAULT_TEMPLATES

DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
SMS_NOTE_MAX = 200


def format_due(moment: dt.datetime | None) -> str:
    """ "Jumat, 28 April 2023" in local time, independent of the server's locale."""
    if moment is None:
        return "-"
    day = clock.local_date(moment)
    return f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


class _Lenient(dict[str, Any]):
    """A placeholder the admin mistyped stays visible as written instead of breaking the message."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, context: dict[str, Any]) -> str:
    if "{{" in text or "{%" in text:
        return Template(text).render(Context(context, autoescape=False))
    try:
        # str.format_map: string.Formatter's parsing in C (it asks _Lenient for each name).
        return text.format_map(_Lenient(context))
    except (ValueError, IndexError, AttributeError):
        return text


_templates = ScopedCache()
# Read each template once in this block (a sweep writing hundreds of messages).
templates_cached = _templates.scope


def template_text(key: str, channel: str) -> tuple[str, str] | None:
    """(subject, body) of the installation's template, else the built-in default, else None."""
    return cast(
        "tuple[str, str] | None", _templates.get((key, channel), lambda: _template_text(key, channel))
    )


# The installation's templates, read at most once a minute per process (every submission writes
# a confirmation); saving or deleting a template in this process clears it at once (apps.py).
TEMPLATE_CACHE_SECONDS = 60.0
_process_cache: dict[str, Any] = {}


def clear_template_cache(**_: Any) -> None:
    _process_cache.clear()


def _installation_templates() -> dict[tuple[str, str], tuple[str, str, bool]]:
    from aduan.notifications.models import MessageTemplate

    now = time.monotonic()
    if _process_cache and now - _process_cache["at"] < TEMPLATE_CACHE_SECONDS:
        return cast(dict[tuple[str, str], tuple[str, str, bool]], _process_cache["rows"])
    rows = {
        (key, channel): (subject, body, active)
        for key, channel, subject, body, active in MessageTemplate.objects.values_list(
            "key", "channel", "subject", "body", "is_active"
        )
    }
    _process_cache.update(at=now, rows=rows)
    return rows


def _template_text(key: str, channel: str) -> tuple[str, str] | None:
    row = _installation_templates().get((key, channel))
    if row is not None:
        subject, body, active = row
        return (subject, body) if active else None
    for d_key, d_channel, subject, body in DEFAULT_TEMPLATES:
        if d_key == key and d_channel == channel:
            return subject, body
    return None


def render(keys: list[str], channel: str, context: dict[str, Any]) -> tuple[str, str, str] | None:
    """The first of `keys` with a template on `channel`: (key, subject, body), or None.

    WhatsApp messages use the SMS text. Short texts are flattened to one line and a long `{note}`
    is cut with "..." (GSM-7; "…" would turn the whole SMS into UCS-2, 70 characters a part)."""
    short = channel in ("sms", "whatsapp")
    for key in keys:
        found = template_text(key, "sms" if channel == "whatsapp" else channel)
        if found is None:
            continue
        ctx = dict(context)
        if short and len(str(ctx.get("note", ""))) > SMS_NOTE_MAX:
            ctx["note"] = str(ctx["note"])[: SMS_NOTE_MAX - 3].rstrip() + "..."
        subject, body = found
        text = _fill(body, ctx)
        return (
            key,
            " ".join(_fill(subject, ctx).split())[:200],
            " ".join(text.split()) if short else text.strip(),
        )
    return None
