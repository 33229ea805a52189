"""On PostgreSQL, each list's main query and each capped count is served by an index on a table
large enough for the planner to prefer a sequential scan if no index fitted (issue 16).

The table holds 30,000 reports: mostly closed history (as a real installation), a few open ones
made by the real services, and statistics from ANALYZE: the planner's own choice, no setting forced.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from aduan.accounts.models import User
from aduan.console.queues import COORDINATOR_QUEUES, queue_reports
from aduan.core import paging
from aduan.intake.models import Report, Status
from aduan.workflow.selectors import reports_public, reports_visible_to
from tests.conftest import as_actor
from tests.factories import disposed, submit, verified
from tests.volume import copies_of

pytestmark = pytest.mark.django_db

SIZE = 30_000


@pytest.fixture
def large_table(koordinator: User, on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("plans are PostgreSQL's")
    k = as_actor(koordinator)
    models = [disposed(k, lead="dinkes"), verified(k)]
    copies_of(models, SIZE, status=Status.SELESAI, is_returned=False)
    copies_of([submit().report], 40)  # the open head of the table: new reports waiting
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_report")
    # Far past the cap: the whole-table count would be the expensive part here.
    assert Report.objects.count() > SIZE > paging.COUNT_CAP


def plan(queryset: QuerySet[Any]) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def count_plan(queryset: QuerySet[Any]) -> str:
    """The plan of paging.capped_count(queryset)."""
    inner = queryset.order_by()[: paging.COUNT_CAP + 1]
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) AS capped", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def page(queryset: QuerySet[Any], size: int = 25) -> QuerySet[Any]:
    return queryset[:size]


def test_coordinator_queue_pages_and_badges_use_an_index(large_table: None, koordinator: User) -> None:
    k = as_actor(koordinator)
    for queue in COORDINATOR_QUEUES:
        reports = queue_reports(k, queue.key).select_related(
            "category", "category__parent", "kecamatan", "lead_agency"
        )
        explained = plan(page(reports))
        assert "Seq Scan on intake_report" not in explained, (queue.key, explained)
    for queue in COORDINATOR_QUEUES:
        if queue.key == "semua":
            continue  # every report counts: the LIMIT alone bounds it
        explained = count_plan(queue_reports(k, queue.key))
        assert "Seq Scan on intake_report" not in explained, (queue.key, explained)


def test_feed_open311_and_api_pages_use_an_index(large_table: None, koordinator: User) -> None:
    # The feed and Open311 list reports_public() in this order; the API lists the coordinator's.
    feed = reports_public().order_by("-submitted_at", "-pk")
    api = reports_visible_to(as_actor(koordinator)).order_by("-submitted_at", "-pk")
    for name, queryset in [("feed", feed), ("api", api)]:
        explained = plan(page(queryset, 20))
        assert "Seq Scan on intake_report" not in explained, (name, explained)
