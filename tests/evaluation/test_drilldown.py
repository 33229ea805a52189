"""Every number on the dashboard opens exactly the reports behind it: the test follows each link
into the console and compares the console's count with the number it was clicked on."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from aduan.core.roles import Role
from aduan.evaluation.scenarios import SCENARIOS
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="(/konsol/antrean/semua/\?[^"]+)" class="drill">([\d.]+)</a>')
CONSOLE_COUNT = re.compile(r'<p class="muted result-count" role="status">\s*([\d.]+) laporan')


def console_count(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    found = CONSOLE_COUNT.search(response.content.decode())
    return int(found.group(1).replace(".", "")) if found else 0


def drill_links(body: str) -> list[tuple[str, int]]:
    return [(html.unescape(href), int(n.replace(".", ""))) for href, n in LINK.findall(body)]


@pytest.fixture
def ponorogo_2022(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    # The live overdue figure is cached for a minute per database, period and scope: an earlier
    # test's figure for 2022 must not stand in for this one's.
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        SCENARIOS["ponorogo-2022"]()


def test_every_dashboard_number_drills_down_to_the_same_count(ponorogo_2022) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("koordinator-drill", Role.COORDINATOR))
    body = client.get("/statistik/dasbor/?year=2022").content.decode()
    links = drill_links(body)
    # Totals, outcomes, archive reasons, ratings, times, deadlines, league, months, categories,
    # sub-categories, kecamatan (ranked), OPD, channel, classification, status.
    assert len(links) >= 60, len(links)
    filters = {key for href, _ in links for key in parse_qs(urlsplit(href).query)}
    assert filters >= {
        "date_from",
        "date_to",
        "channel",
        "classification",
        "status",
        "category",
        "subcategory",
        "kecamatan",
        "agency",
        "outcome",
        "archive_reason",
        "rating",
        "deadline",
        "returned_by",
    }
    assert ("/konsol/antrean/semua/?date_from=2022-01-01&date_to=2022-12-31", 52) in links
    wrong = [(href, n, got) for href, n in links if (got := console_count(client, href)) != n]
    assert not wrong, wrong


def test_agency_scope_and_opd_staff_drill_down_within_their_own_reports(ponorogo_2022) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("admin-dinkes-drill", Role.OPD_ADMIN, "dinkes"))
    body = client.get("/statistik/dasbor/?year=2022").content.decode()
    links = drill_links(body)
    assert links and all("agency=dinkes" in href for href, _ in links)
    wrong = [(href, n, got) for href, n in links if (got := console_count(client, href)) != n]
    assert not wrong, wrong


def test_old_console_links_keep_their_filters(ponorogo_2022) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("koordinator-old", Role.COORDINATOR))
    response = client.get("/konsol/?date_from=2022-01-01&date_to=2022-12-31&agency=dinkes")
    assert response.status_code == 302
    assert (
        response["Location"] == "/konsol/antrean/semua/?date_from=2022-01-01&date_to=2022-12-31&agency=dinkes"
    )
    # The console's own filter form speaks the same names, and links back to the dashboard.
    page = client.get(response["Location"]).content.decode()
    for name in (
        "status",
        "kind",
        "classification",
        "category",
        "kecamatan",
        "agency",
        "channel",
        "date_from",
    ):
        assert f'name="{name}"' in page
    assert 'href="/statistik/dasbor/"' in page
