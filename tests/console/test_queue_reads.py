"""Queue pages cost the same number of queries at any size, and no count reads the whole table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.accounts.models import User
from aduan.console.queues import AGENCY_QUEUES, COORDINATOR_QUEUES
from aduan.core import paging
from aduan.intake.models import Report
from tests.conftest import as_actor
from tests.factories import disposed, submit, verified
from tests.volume import copies_of

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _models(koordinator: User) -> list[Report]:
    k = as_actor(koordinator)
    return [submit().report, verified(k), disposed(k, lead="dinkes")]


@pytest.mark.parametrize("key", [q.key for q in COORDINATOR_QUEUES])
def test_coordinator_queue_queries_do_not_grow_with_rows(
    key: str, koordinator: User, login, django_assert_num_queries
) -> None:
    copies_of(_models(koordinator), 6)
    client = login(koordinator)
    url = reverse("console:queue", kwargs={"key": key})
    _queries(client, url)  # warm: session and calendar caches
    few = len(_queries(client, url))
    copies_of(list(Report.objects.all()[:3]), 120)  # several pages of 25
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("key", [q.key for q in AGENCY_QUEUES])
def test_agency_queue_queries_do_not_grow_with_rows(
    key: str, koordinator: User, admin_dinkes: User, login, django_assert_num_queries
) -> None:
    k = as_actor(koordinator)
    copies_of([disposed(k, lead="dinkes")], 3)
    client = login(admin_dinkes)
    url = reverse("console:queue", kwargs={"key": key})
    _queries(client, url)
    few = len(_queries(client, url))
    # Copies carry no disposition of their own: the agency sees the grown table, not the rows.
    copies_of(list(Report.objects.all()[:1]), 120)
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_every_count_on_a_queue_page_is_limited(koordinator: User, login) -> None:
    copies_of(_models(koordinator), 3)
    queries = _queries(login(koordinator), reverse("console:queue", kwargs={"key": "semua"}))
    counts = [sql for sql in queries if "COUNT(" in sql.upper() and '"intake_report"' in sql]
    assert len(counts) == len(COORDINATOR_QUEUES) + 1  # six badges and the paginator
    for sql in counts:
        assert "LIMIT" in sql.upper(), sql


def test_counts_past_the_cap_show_more_than_and_pages_stop_at_the_cap(
    koordinator: User, login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "LIST_CAP", 60)
    monkeypatch.setattr(paging, "BADGE_CAP", 40)
    copies_of(_models(koordinator), 90)  # 93 reports in "semua"
    client = login(koordinator)
    html = client.get(reverse("console:queue", kwargs={"key": "semua"})).content.decode()
    assert "&gt; 60 laporan" in html
    assert '<span class="count">&gt; 40</span>' in html  # the badge of "semua"
    # 60 rows in pages of 25: three pages, the third ends at row 60 (10 rows), and no fourth.
    third = client.get(reverse("console:queue", kwargs={"key": "semua"}), {"hal": 3})
    assert third.context["page"].number == 3
    assert len(third.context["page"].object_list) == 10
    assert not third.context["page"].has_next()
    assert (
        client.get(reverse("console:queue", kwargs={"key": "semua"}), {"hal": 9}).context["page"].number == 3
    )
    # Below the caps the counts are exact.
    monkeypatch.setattr(paging, "LIST_CAP", 1_000)
    monkeypatch.setattr(paging, "BADGE_CAP", 99)
    html = client.get(reverse("console:queue", kwargs={"key": "semua"})).content.decode()
    assert "93 laporan" in html
    assert '<span class="count">93</span>' in html


def test_csv_export_streams_and_its_queries_do_not_grow_with_rows(
    koordinator: User, login, django_assert_num_queries
) -> None:
    copies_of(_models(koordinator), 6)
    client = login(koordinator)
    url = reverse("console:queue_csv", kwargs={"key": "semua"})
    client.get(url).getvalue()  # warm: session and calendar caches
    with CaptureQueriesContext(connection) as few:
        first = client.get(url)
        assert first.streaming
        assert len(first.getvalue().decode("utf-8-sig").splitlines()) == 1 + 9
    copies_of(list(Report.objects.all()[:3]), 120)
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(url).getvalue().decode("utf-8-sig")
    assert len(body.splitlines()) == 1 + 129
