"""Reads of the directory (categories, regions) that other apps filter by."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q


def category_subtree_q(codes: Iterable[str], *, prefix: str = "category__") -> Q:
    """Rows whose category (the `prefix` relation) is one of `codes` or below one of them: a
    topic stands for its sub-topics. The tree is at most three levels deep (directory.services
    refuses a fourth), so two parent hops reach every ancestor."""
    codes = list(codes)
    return (
        Q(**{f"{prefix}code__in": codes})
        | Q(**{f"{prefix}parent__code__in": codes})
        | Q(**{f"{prefix}parent__parent__code__in": codes})
    )
