"""Counts and pages that cost the same at 10 million reports as at 10 thousand.

An exact `COUNT(*)` reads every matching row: at 1M reports each queue badge and each paginator
took 100–250 ms (issue 16). Nobody reads "123.456 laporan" differently from "more than 10.000",
so counts stop at a cap + 1 rows (a LIMITed subquery) and pages stop at the cap too, which
also bounds the OFFSET of the last page. Past the cap the filters are the way in.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet, Value
from django.utils.functional import cached_property

# The API's count (documented in its schema: "exact up to 10000").
COUNT_CAP = 10_000
# Lists people page through (console queues, public feed): 40 pages of 25 is more than anyone
# pages; a count to 10,000 read up to 10,001 rows of a queue that held 200 at 10k reports.
LIST_CAP = 1_000
# A text search lists the first 100 of its matches in the queue's order. Its count walks the
# reports until it has cap + 1 matches: for a word in one report in five, 5,000 rows of an OPD's
# at a cap of 1,000 (130 ms at 1M reports, 4 ms at 100: issue 16). Past a few pages of matches the
# way on is more words or a filter, as the page says, not page 40.
SEARCH_CAP = 100
# A tab's badge says "there is work here": "> 99" reads as well as "12.345" and reads 100 rows.
BADGE_CAP = 99


def capped_count(queryset: QuerySet[Any], cap: int | None = None) -> int:
    """The number of rows, exact up to `cap` (COUNT_CAP); cap + 1 means "more than cap"."""
    cap = COUNT_CAP if cap is None else cap
    # Without ORDER BY the database stops after cap + 1 rows of the cheapest plan. Selecting no
    # column (not the queryset's columns and annotations) lets PostgreSQL answer from an index
    # alone; SQLite needs one column in a subquery.
    narrow = queryset.order_by()
    if connections[queryset.db].vendor == "postgresql":
        narrow = narrow.values(_one=Value(1))
    else:
        narrow = narrow.values("pk")
    return narrow[: cap + 1].count()


def is_capped(count: int, cap: int | None = None) -> bool:
    return count > (COUNT_CAP if cap is None else cap)


class CappedPaginator(Paginator):
    """A Paginator whose count stops at cap + 1 and whose last page ends at row `cap`.

    `count_from`, if given, holds the same rows as the list in a form cheaper to count (an OPD's
    queue joined to its own dispositions: console.queues.queue_count_reports), or is their number
    when already known."""

    def __init__(
        self,
        *args: Any,
        cap: int | None = None,
        count_from: QuerySet[Any] | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.count_from = count_from

    @cached_property
    def count(self) -> int:
        if isinstance(self.count_from, int):
            return min(self.count_from, self.cap + 1)
        if self.count_from is not None:
            return capped_count(self.count_from, self.cap)
        if isinstance(self.object_list, QuerySet):
            return capped_count(self.object_list, self.cap)
        return min(len(self.object_list), self.cap + 1)

    @property
    def is_capped(self) -> bool:
        return is_capped(self.count, self.cap)

    @cached_property
    def num_pages(self) -> int:
        if self.is_capped:
            # The pages that hold the first `cap` rows in full: the last one ends at row `cap`.
            return max(1, math.ceil(self.cap / self.per_page))
        return super().num_pages

    def page(self, number: Any) -> Page:
        if not self.is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : min(bottom + self.per_page, self.cap)], number, self)
