"""One rule for public statistics (docs/evaluation.md, "Privacy"): confidential reports are counted
internally only, and no public count below k singles out a report in a slice narrower than the
kabupaten and a year. The coordinator's internal figures are untouched."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from aduan.core import clock
from aduan.evaluation.stats import Period, Scope, evaluation_for
from tests.factories import submit

pytestmark = pytest.mark.django_db

DAY = "date_from=2022-06-06&date_to=2022-06-06&scope=kecamatan&kecamatan=35.02.17"


def _submit(n: int, *, day: int = 6, month: int = 6, **kw: object) -> None:
    with clock.travel(timezone.make_aware(dt.datetime(2022, month, day, 9))):
        for _ in range(n):
            submit(region="35.02.17", **kw)


def _public(client: Client, query: str) -> dict:
    return json.loads(client.get(f"/statistik/data.json?{query}").content)


def test_confidential_reports_are_counted_internally_only(client: Client, koordinator) -> None:
    _submit(6, confidential=True)
    _submit(5, day=7)
    day = _public(client, DAY)
    assert day["total"] == 0 and day["privacy"]["confidential_excluded"]
    year = _public(client, "year=2022")
    assert year["total"] == 5 and year["by_kecamatan"]["35.02.17"]["count"] == 5
    for path in ("/api/v1/stats?year=2022", "/statistik/api/v1/stats?year=2022"):
        assert json.loads(client.get(path).content)["total"] == 5
    internal = evaluation_for(Period.year(2022), Scope("kecamatan", "35.02.17"))
    assert internal["total"] == 11
    client.force_login(koordinator)
    dashboard = client.get(f"/statistik/dasbor/unduh/?format=json&{DAY}")
    assert json.loads(dashboard.content)["total"] == 6


def test_small_counts_of_a_narrow_slice_are_withheld_everywhere(client: Client) -> None:
    _submit(3)
    day = _public(client, DAY)
    assert day["total"] is None and day["by_channel"]["web"] is None and day["by_channel"]["sms"] == 0
    assert day["by_kind"]["pengaduan"] is None and day["by_status"]["belum_terverifikasi"] is None
    assert day["shares"]["archived"] is None and day["privacy"]["slice"] == "narrow"
    assert "kurang dari lima laporan" in day["summary"]
    csv = client.get(f"/statistik/data.csv?{DAY}").content.decode()
    assert ",total,,Jumlah laporan,\r\n" in csv and "by_channel,web,Website,\r\n" in csv
    page = client.get(f"/statistik/?{DAY}").content.decode()
    assert "&lt; 5" in page and "None" not in page
    # Five reports are not few enough to single one out.
    _submit(2)
    day = _public(client, DAY)
    assert day["total"] == 5 and day["by_channel"]["web"] == 5 and day["privacy"]["withheld"] == 0


def test_the_kabupaten_year_shows_its_own_figures_but_not_small_places_or_months(client: Client) -> None:
    _submit(6)
    _submit(1, month=9, channel="sms")
    year = _public(client, "year=2022")
    assert year["total"] == 7 and year["by_channel"] == {**year["by_channel"], "web": 6, "sms": 1}
    assert year["privacy"]["slice"] == "kabupaten_year"
    assert year["by_month"]["2022-06"] == 6 and year["by_month"]["2022-09"] is None
    assert year["by_kecamatan"]["35.02.17"]["count"] == 7
    month = _public(client, "year=2022&month=9")
    assert month["total"] is None and month["by_channel"]["sms"] is None


def test_the_minimum_is_a_setting(client: Client, settings) -> None:
    _submit(3)
    settings.ADUAN_PUBLIC_STATS_MIN_COUNT = 3
    assert _public(client, DAY)["total"] == 3
    settings.ADUAN_PUBLIC_STATS_MIN_COUNT = 10
    page = client.get(f"/statistik/?{DAY}").content.decode()
    assert "&lt; 10" in page
