"""API and Open311 lists cost the same number of queries at any size; the API count stops at the cap."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aduan.accounts.models import User
from aduan.core import paging
from aduan.intake.models import Report
from tests.api.conftest import Api, token_for
from tests.conftest import as_actor
from tests.factories import disposed, submit, verified
from tests.volume import copies_of

pytestmark = pytest.mark.django_db

OPEN311 = "/api/open311/v2/requests.json"


def _models(koordinator: User) -> list[Report]:
    k = as_actor(koordinator)
    return [submit().report, verified(k), disposed(k, lead="dinkes")]


@pytest.mark.parametrize("query", [{}, {"page": 3}, {"status": "terverifikasi"}])
def test_api_list_queries_do_not_grow_with_rows(
    query: dict[str, object], koordinator: User, django_assert_num_queries
) -> None:
    copies_of(_models(koordinator), 80)
    api = Api(token=token_for(koordinator))
    api.get("/reports", **query)
    with CaptureQueriesContext(connection) as few:
        assert api.get("/reports", **query).status_code == 200
    copies_of(list(Report.objects.all()[:3]), 300)
    with django_assert_num_queries(len(few.captured_queries)):
        assert api.get("/reports", **query).status_code == 200


def test_api_count_stops_at_the_cap_and_next_goes_on_past_it(
    koordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 30)
    copies_of(_models(koordinator), 57)  # 60 reports
    api = Api(token=token_for(koordinator))
    with CaptureQueriesContext(connection) as captured:
        first = api.get("/reports", page_size=25).json()
    assert first["count"] == 31 and first["count_capped"] is True
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"].upper() and '"intake_report"' in q["sql"]
    ]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
    # A client syncing everything still reaches the last row past the cap.
    third = api.get("/reports", page_size=25, page=3).json()
    assert len(third["results"]) == 10 and third["next"] is None and third["previous"]
    second = api.get("/reports", page_size=25, page=2).json()
    assert second["next"]
    seen = {r["tracking_number"] for p in (first, second, third) for r in p["results"]}
    assert len(seen) == 60
    monkeypatch.setattr(paging, "COUNT_CAP", 10_000)
    exact = api.get("/reports", page_size=25).json()
    assert exact["count"] == 60 and exact["count_capped"] is False


@pytest.mark.parametrize("query", [{}, {"status": "open"}, {"start_date": "2020-01-01T00:00:00Z"}])
def test_open311_list_queries_do_not_grow_with_rows(
    query: dict[str, str], koordinator: User, django_assert_num_queries
) -> None:
    copies_of([disposed(as_actor(koordinator), lead="dinkes")], 10)
    client = Client()
    client.get(OPEN311, query)
    with CaptureQueriesContext(connection) as few:
        assert client.get(OPEN311, query).status_code == 200
    copies_of(list(Report.objects.all()[:1]), 300)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(OPEN311, query)
        assert response.status_code == 200 and len(response.json()) > 10
