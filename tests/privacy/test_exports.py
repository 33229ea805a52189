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
        anonymous = disposed(k, lead="pupr", name=ANONYMOUS, anonymous=True, title=f"Keluhan {ANONYMOUS}")
        secret = disposed(k, lead="pupr", name=SECRET, confidential=True)
    return {"named": named, "anonymous": anonymous, "secret": secret}


def list_columns(client: Client) -> dict[str, tuple[str, str]]:
    """Tracking number → (title, reporter) of the XLSX "Daftar laporan"."""
    response = client.get("/statistik/dasbor/unduh/?year=2022&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Daftar laporan"]
    return {row[0]: (row[11], row[12]) for row in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.mark.parametrize(
    ("persona", "named", "secret", "anonymous_title"),
    [
        ("koordinator", NAMED, SECRET, f"Keluhan {ANONYMOUS}"),
        # The OPD's console shows its non-anonymous reporters, and an anonymous report masked.
        ("admin_pupr", NAMED, SECRET, "Keluhan [nama]"),
        ("pimpinan", "—", "—", "Keluhan [nama]"),  # pimpinan's console shows no reporter at all
    ],
)
def test_xlsx_names_whom_the_console_shows(
    request, login, reports, persona, named, secret, anonymous_title
) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    client = login(user)
    columns = list_columns(client)
    assert columns[reports["named"].tracking_number][1] == named
    assert columns[reports["secret"].tracking_number] == ("(rahasia)", secret)
    assert columns[reports["anonymous"].tracking_number] == (anonymous_title, "anonim")
    page = client.get(f"/konsol/laporan/{reports['named'].tracking_number}/").content.decode()
    assert (NAMED in page) == (named == NAMED)


def test_queue_csv_carries_no_reporter(login, reports, koordinator, admin_pupr) -> None:  # type: ignore[no-untyped-def]
    body = login(koordinator).get("/konsol/antrean/semua/csv/").getvalue().decode()
    assert reports["named"].tracking_number in body
    assert NAMED not in body and SECRET not in body
    # The OPD's rows come through its selector: the anonymous report's title is masked.
    body = login(admin_pupr).get("/konsol/antrean/semua/csv/").getvalue().decode()
    assert reports["anonymous"].tracking_number in body and "Keluhan [nama]" in body
    for name in (NAMED, ANONYMOUS, SECRET):
        assert name not in body
