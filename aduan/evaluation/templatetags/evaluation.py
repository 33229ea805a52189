"""Figures on the statistics pages: a count public statistics withhold shows as "< k"."""

from __future__ import annotations

from typing import Any

from django import template

from aduan.evaluation.disclosure import min_count

register = template.Library()


@register.filter
def count(value: Any) -> Any:
    """A count, or "< 5" where aduan.evaluation.disclosure withheld it (None)."""
    return f"< {min_count()}" if value is None else value
