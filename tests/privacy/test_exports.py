"""Every export names a reporter only where the console shows that user the reporter: the XLSX
"Daftar laporan" per role, and the console's CSV (which carries no reporter data at all)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from aduan.core import clock
from aduan.core.actors import actor_for_user
from tests.factories import disposed

pytestmark = pytest.mark.django_db

NAMED, ANONYMOUS, SECRET = "Rina Terbuka", "Anton Anonim", "Sari Rahasia"


@pytest.fixture
def reports(koordinator):  # type: ignore[no-untyped-def]
    k = actor_for_user(koordinator)
    with clock.travel(timezone.make_aware(dt.datetime(2022, 6, 6, 9))):
        named = disposed(k, lead="pupr", name=NAMED)
        anonymous = disposed(k, lead="pupr", name=ANONYMOUS, anonymous=True)
        secret = disposed(k, lead="pupr", name=SECRET, confidential=True)
    return {"named": named, "anonymous": anonymous, "secret": secret}


def reporter_column(client: Client) -> dict[str, str]:
    response = client.get("/statistik/dasbor/unduh/?year=2022&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Daftar laporan"]
    return {row[0]: row[12] for row in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.mark.parametrize(
    ("persona", "named", "secret"),
    [
        ("koordinator", NAMED, SECRET),
        ("admin_pupr", NAMED, SECRET),  # the OPD's console shows its non-anonymous reporters
        ("pimpinan", "—", "—"),  # pimpinan's console shows no reporter at all
    ],
)
def test_xlsx_names_whom_the_console_shows(request, login, reports, persona, named, secret) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    client = login(user)
    column = reporter_column(client)
    assert column[reports["named"].tracking_number] == named
    assert column[reports["secret"].tracking_number] == secret
    assert column[reports["anonymous"].tracking_number] == "anonim"
    page = client.get(f"/konsol/laporan/{reports['named'].tracking_number}/").content.decode()
    assert (NAMED in page) == (named == NAMED)


def test_queue_csv_carries_no_reporter(login, reports, koordinator) -> None:  # type: ignore[no-untyped-def]
    body = login(koordinator).get("/konsol/antrean/semua/csv/").content.decode()
    assert reports["named"].tracking_number in body
    for name in (NAMED, ANONYMOUS, SECRET):
        assert name not in body
