"""Many reports fast, for query-count and plan tests: copies of reports the real services made.

The copies keep every field of their model report (status, flags, dates, category, region), so
they fall in the same queues and feeds; only the primary key and the tracking number differ.
Never use them to test a rule: drive reports through tests.factories for that.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from aduan.intake.models import Report


def copies_of(models: list[Report], n: int, *, batch: int = 2_000, **overrides: Any) -> None:
    """Insert n copies cycling over `models`, each submitted a minute before the last (bulk
    INSERTs). `overrides` set fields on every copy, e.g. status="selesai" for the closed history
    that makes up most of a real table."""
    cycle = itertools.cycle(models)
    start = Report.objects.count()
    rows: list[Report] = []
    for i in range(n):
        model = next(cycle)
        fields = {
            f.attname: getattr(model, f.attname)
            for f in Report._meta.concrete_fields
            if f.attname not in ("id", "tracking_number")
        }
        fields["submitted_at"] = model.submitted_at - dt.timedelta(minutes=i + 1)
        fields.update(overrides)
        rows.append(Report(tracking_number=f"VOL{start + i:012d}", **fields))
        if len(rows) == batch:
            Report.objects.bulk_create(rows)
            rows = []
    if rows:
        Report.objects.bulk_create(rows)
