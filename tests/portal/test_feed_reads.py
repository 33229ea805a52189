"""The public feed costs the same number of queries at any size, and its count stops at the cap."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aduan.accounts.models import User
from aduan.core import paging
from tests.conftest import as_actor
from tests.factories import verified
from tests.volume import copies_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["", "?kecamatan=35.02.17", "?halaman=2"])
def test_feed_queries_do_not_grow_with_rows(query: str, koordinator: User, django_assert_num_queries) -> None:
    copies_of([verified(as_actor(koordinator))], 25)
    client = Client()
    client.get(f"/laporan/{query}")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/laporan/{query}").status_code == 200
    copies_of([verified(as_actor(koordinator))], 150)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(f"/laporan/{query}").status_code == 200


def test_feed_count_is_limited_and_shown_as_more_than(
    koordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "LIST_CAP", 30)
    copies_of([verified(as_actor(koordinator))], 40)
    with CaptureQueriesContext(connection) as captured:
        html = Client().get("/laporan/").content.decode()
    assert "&gt; 30 laporan" in html
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"].upper() and '"intake_report"' in q["sql"]
    ]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
