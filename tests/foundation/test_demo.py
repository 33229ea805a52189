from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from aduan.accounts.models import User
from aduan.core.demo import DEMO_PASSWORD
from aduan.intake.models import Report


@pytest.mark.django_db
def test_demo_loads_users_and_reports_through_the_lifecycle() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    for username in [
        "koordinator",
        "admin-dinkes",
        "admin-pupr",
        "admin-dinsos",
        "admin-satpolpp",
        "pejabat-dinkes",
        "apip",
        "pimpinan",
        "warga",
    ]:
        assert username in printed
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
    assert DEMO_PASSWORD in printed
    assert User.objects.get(username="admin-dinkes").agency.code == "dinkes"  # type: ignore[union-attr]
    statuses = Counter(Report.objects.values_list("status", flat=True))
    assert sum(statuses.values()) >= 24 and len(statuses) >= 6
    for report in Report.objects.all():
        last = report.events.order_by("created_at", "pk").last()
        assert last is not None and last.to_status == report.status  # every state reached by an event
    again = StringIO()
    call_command("demo", "--if-empty", stdout=again)
    assert "sudah dimuat" in again.getvalue() and Report.objects.count() == sum(statuses.values())


@pytest.mark.django_db
def test_demo_reports_have_pins_inside_their_kecamatan_area_and_fill_the_public_map(settings) -> None:
    import json
    import re

    from django.test import Client

    from aduan.core.demo import KECAMATAN_CENTRES

    call_command("demo", stdout=StringIO())
    south, west, north, east = settings.ADUAN_MAP_BOUNDS
    reports = list(Report.objects.select_related("kecamatan"))
    assert reports and all(r.latitude is not None and r.longitude is not None for r in reports)
    for report in reports:
        assert south <= float(report.latitude) <= north and west <= float(report.longitude) <= east
        assert report.kecamatan is not None
        lat, lon = KECAMATAN_CENTRES[report.kecamatan.code]
        assert abs(float(report.latitude) - lat) < 0.01 and abs(float(report.longitude) - lon) < 0.01
    html = Client().get("/peta/").content.decode()
    found = re.search(r'<script id="map-points" type="application/json">(.*?)</script>', html, re.S)
    assert found and len(json.loads(found.group(1))) >= 5
