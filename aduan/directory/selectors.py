"""Reads of the directory (categories, regions) that other apps filter by."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from aduan.directory.models import Category


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


def citizen_topics(*, with_subtopics: bool = False) -> QuerySet[Category]:
    """The installation's citizen topic list: active top-level topics marked for citizens (the
    report form); with_subtopics, also their active sub-topics (Open311's service list)."""
    topics = Q(parent__isnull=True, is_citizen_topic=True)
    if with_subtopics:
        topics |= Q(parent__is_citizen_topic=True, parent__parent__isnull=True)
    return Category.objects.filter(is_active=True).filter(topics)
