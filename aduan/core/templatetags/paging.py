"""`{{ n|capped_count }}`, `{{ n|badge_count }}`: counts from aduan.core.paging, "> 10.000" past the cap."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from aduan.core import paging

register = template.Library()


@register.filter
def capped_count(value: int, cap: int | None = None) -> str:
    """`{{ n|capped_count }}` against COUNT_CAP, `{{ n|capped_count:page.paginator.cap }}` another."""
    cap = paging.COUNT_CAP if cap is None else cap
    if paging.is_capped(value, cap):
        return _("> %(cap)s") % {"cap": intcomma(cap)}
    return str(intcomma(value))


@register.filter
def badge_count(value: int) -> str:
    """A queue tab's badge: exact up to BADGE_CAP, "> 99" past it."""
    return capped_count(value, paging.BADGE_CAP)
