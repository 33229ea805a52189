"""Reads of the directory that more than one interface needs."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from aduan.directory.models import Category


def citizen_topics(*, with_subtopics: bool = False) -> QuerySet[Category]:
    """The installation's citizen topic list: active top-level topics marked for citizens (the
    report form); with_subtopics, also their active sub-topics (Open311's service list)."""
    topics = Q(parent__isnull=True, is_citizen_topic=True)
    if with_subtopics:
        topics |= Q(parent__is_citizen_topic=True, parent__parent__isnull=True)
    return Category.objects.filter(is_active=True).filter(topics)
