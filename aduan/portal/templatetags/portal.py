from __future__ import annotations

from django import template

from aduan.portal.forms import nice_category_name

register = template.Library()


@register.filter
def category_name(name: str) -> str:
    """National topics in sentence case instead of capitals."""
    return nice_category_name(name or "")
