"""GET /api/v1/stats: the public statistics under the API's fixed name, without personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from aduan.core import clock
from tests.factories import submit


@pytest.mark.django_db
@pytest.mark.urls("aduan.urls")
def test_public_stats_by_year_without_personal_data() -> None:
    with clock.travel(dt.datetime(2022, 3, 1, 9, tzinfo=dt.UTC)):
        submit(name="Nama Rahasia", phone="081298765432", channel="sms")
        submit(channel="web", region="35.02.01")
    response = Client().get("/api/v1/stats", {"year": 2022})
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 2
    assert data["by_channel"]["sms"] == 1 and data["by_channel"]["web"] == 1
    assert "Nama Rahasia" not in response.content.decode() and "81298765432" not in response.content.decode()
    assert Client().get("/api/v1/stats", {"year": 2021}).json()["total"] == 0
    bad = Client().get("/api/v1/stats", {"year": "dua ribu"})
    assert bad.status_code in (400, 422) and bad["Content-Type"].startswith("application/problem+json")
    assert "/api/v1/stats" in Client().get("/api/v1/openapi.json").json()["paths"]
