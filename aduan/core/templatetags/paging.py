"""`{{ n|capped_count }}`: a count from aduan.core.paging, "> 10.000" past the cap."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _

from aduan.core import paging

register = template.Library()


@register.filter
def capped_count(value: int) -> str:
    if paging.is_capped(value):
        return _("> %(cap)s") % {"cap": intcomma(paging.COUNT_CAP)}
    return str(intcomma(value))
