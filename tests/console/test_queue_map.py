"""The staff queue's map (issue 14): the reports of the page, each where location_for lets the
viewer see it, with the same number of queries as the list alone."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.accounts.models import User
from tests.conftest import as_actor
from tests.factories import disposed
from tests.volume import copies_of

pytestmark = pytest.mark.django_db

PIN = {"latitude": "-7.865123", "longitude": "111.462345"}


def _points(html: str) -> list[dict[str, Any]]:
    found = re.search(r'<script id="queue-map-points" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return list(json.loads(found.group(1)))


def test_the_queue_maps_its_reports_exact_for_the_coordinator_coarse_for_the_opd(
    koordinator: User, admin_dinkes: User, login: Any
) -> None:
    k = as_actor(koordinator)
    anonymous = disposed(k, lead="dinkes", anonymous=True, **PIN)
    named = disposed(k, lead="dinkes", latitude="-7.90", longitude="111.50")
    disposed(k, lead="dinkes")  # no pin: listed, not mapped

    html = login(koordinator).get(reverse("console:queue", kwargs={"key": "semua"})).content.decode()
    points = {p["url"]: p for p in _points(html)}
    assert 'class="map reports-map queue-map"' in html and "map/map.js" in html and 'id="map-config"' in html
    url = reverse("console:report", args=[anonymous.tracking_number])
    assert (points[url]["lat"], points[url]["lng"], points[url]["exact"]) == (-7.865123, 111.462345, True)
    assert len(points) == 2

    html = login(admin_dinkes).get(reverse("console:queue", kwargs={"key": "semua"})).content.decode()
    points = {p["url"]: p for p in _points(html)}
    assert len(points) == 2
    assert (points[url]["lat"], points[url]["lng"], points[url]["exact"]) == (-7.8675, 111.4625, False)
    assert "7.865123" not in html and "111.462345" not in html
    other = points[reverse("console:report", args=[named.tracking_number])]
    assert (other["lat"], other["lng"], other["exact"]) == (-7.9, 111.5, True)
    # Without JavaScript the list is as it was: every report a link.
    for report in (anonymous, named):
        assert f'href="{reverse("console:report", args=[report.tracking_number])}"' in html


def test_no_map_without_pins(koordinator: User, login: Any) -> None:
    disposed(as_actor(koordinator), lead="dinkes")
    html = login(koordinator).get(reverse("console:queue", kwargs={"key": "semua"})).content.decode()
    assert 'queue-map"' not in html and 'id="queue-map-points"' not in html


@pytest.mark.parametrize("who", ["koordinator", "admin_dinkes"])
def test_mapping_anonymous_reports_costs_no_query_per_row(
    who: str, koordinator: User, admin_dinkes: User, login: Any, django_assert_num_queries: Any
) -> None:
    k = as_actor(koordinator)
    copies_of([disposed(k, lead="dinkes", anonymous=True, **PIN)], 2)
    client = login({"koordinator": koordinator, "admin_dinkes": admin_dinkes}[who])
    url = reverse("console:queue", kwargs={"key": "semua"})
    client.get(url)  # warm: session and calendar caches
    with CaptureQueriesContext(connection) as captured:
        assert len(_points(client.get(url).content.decode())) >= 1
    few = len(captured.captured_queries)
    # The copies carry no disposition of their own; reports with one are what the OPD lists.
    for _ in range(4):
        disposed(k, lead="dinkes", anonymous=True, **PIN)
        disposed(k, lead="dinkes", latitude="-7.90", longitude="111.50")
    with django_assert_num_queries(few):
        assert len(_points(client.get(url).content.decode())) >= 9
