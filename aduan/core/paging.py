"""Counts and pages that cost the same at 10 million reports as at 10 thousand.

An exact `COUNT(*)` reads every matching row: at 1M reports each queue badge and each paginator
took 100–250 ms (issue 16). Nobody reads "123.456 laporan" differently from "more than 10.000",
so counts stop at COUNT_CAP + 1 rows (a LIMITed subquery) and pages stop at the cap too, which
also bounds the OFFSET of the last page. Past the cap the filters are the way in.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def capped_count(queryset: QuerySet[Any]) -> int:
    """The number of rows, exact up to COUNT_CAP; COUNT_CAP + 1 means "more than COUNT_CAP"."""
    # Without ORDER BY the database stops after COUNT_CAP + 1 rows of the cheapest plan.
    return queryset.order_by()[: COUNT_CAP + 1].count()


def is_capped(count: int) -> bool:
    return count > COUNT_CAP


class CappedPaginator(Paginator):
    """A Paginator whose count stops at COUNT_CAP + 1 and whose last page ends at COUNT_CAP."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return capped_count(self.object_list)
        return min(len(self.object_list), COUNT_CAP + 1)

    @property
    def is_capped(self) -> bool:
        return is_capped(self.count)

    @cached_property
    def num_pages(self) -> int:
        if self.is_capped:
            # The pages that hold the first COUNT_CAP rows in full: the last one ends at row COUNT_CAP.
            return max(1, math.ceil(COUNT_CAP / self.per_page))
        return super().num_pages

    def page(self, number: Any) -> Page:
        if not self.is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : min(bottom + self.per_page, COUNT_CAP)], number, self)
