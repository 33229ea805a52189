"""Statistics pages: who may see the dashboard, what the public gets, and no personal data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from aduan.core import clock
from aduan.core.actors import actor_for_user
from aduan.evaluation.documents import report_list_rows
from aduan.evaluation.stats import Period, Scope
from tests.factories import KESEHATAN, PUPR, act, submit


@pytest.fixture
def reports(koordinator):  # type: ignore[no-untyped-def]
    k = actor_for_user(koordinator)
    with clock.travel(timezone.make_aware(dt.datetime(2022, 6, 6, 9))):
        secret = submit(
            name="Budi Rahasia",
            phone="081298765432",
            email="budi.rahasia@example.org",
            nik="3502170101900001",
            title="Pungli di kantor desa oleh Pak Kades",
            region="35.02.17",
        ).report
        act(
            k,
            secret,
            "verify",
            classification="pengaduan_berkadar_pengawasan",
            category=KESEHATAN,
            anonymous=True,
            confidential=True,
        )
        act(k, secret, "dispose", lead="dinkes", supporting=["inspektorat"])
        other = submit(name="Siti Terbuka", channel="mobile", region="35.02.01").report
        act(k, other, "verify", classification="aspirasi", category=PUPR)
        act(k, other, "dispose", lead="pupr")
    return secret, other


PERSONAL = (
    "Budi Rahasia",
    "081298765432",
    "+6281298765432",
    "budi.rahasia@example.org",
    "3502170101900001",
    "Siti Terbuka",
    "Pungli di kantor desa",
)


@pytest.mark.django_db
def test_public_page_and_open_data_carry_no_personal_data(client: Client, reports) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/statistik/?year=2022")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Statistik pengaduan" in body
    as_json = client.get("/statistik/data.json?year=2022")
    assert as_json.status_code == 200
    data = json.loads(as_json.content)
    # The confidential report is counted internally only (aduan.evaluation.disclosure).
    assert data["total"] == 1 and data["by_channel"]["mobile"] == 1
    assert data["by_kecamatan"]["35.02.17"]["count"] == 0
    api = client.get("/statistik/api/v1/stats?year=2022")
    assert json.loads(api.content)["total"] == 1
    as_csv = client.get("/statistik/data.csv?year=2022")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert "by_channel,mobile" in as_csv.content.decode()
    for response in (page, as_json, api, as_csv):
        text = response.content.decode()
        for value in PERSONAL:
            assert value not in text
        assert "/konsol/" not in text  # no drill-down links to staff pages for the public


@pytest.mark.django_db
def test_public_bad_period_is_a_clear_error(client: Client) -> None:
    response = client.get("/statistik/data.json?year=1800")
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "invalid_period"
    assert client.get("/statistik/?year=abc").status_code == 200  # the page says so and shows this year


@pytest.mark.django_db
def test_dashboard_access_by_role(client: Client, reports, koordinator, pimpinan, admin_pupr, warga) -> None:  # type: ignore[no-untyped-def]
    anonymous = client.get("/statistik/dasbor/?year=2022")
    assert anonymous.status_code == 302 and "/konsol/masuk/" in anonymous["Location"]
    client.force_login(warga)
    assert client.get("/statistik/dasbor/?year=2022").status_code == 403
    assert client.get("/statistik/dasbor/unduh/?year=2022&format=json").status_code == 403
    client.force_login(koordinator)
    page = client.get("/statistik/dasbor/?year=2022")
    assert page.status_code == 200
    body = page.content.decode()
    assert "/konsol/antrean/semua/?date_from=2022-01-01&amp;date_to=2022-12-31&amp;channel=mobile" in body
    assert "Unduh Laporan Evaluasi (PDF)" in body
    client.force_login(pimpinan)
    assert client.get("/statistik/dasbor/?year=2022&scope=kecamatan&kecamatan=35.02.17").status_code == 200
    # An OPD admin sees only the OPD's own figures, whatever scope is asked for.
    client.force_login(admin_pupr)
    own = client.get("/statistik/dasbor/unduh/?year=2022&format=json&scope=agency&agency=dinkes")
    data = json.loads(own.content)
    assert data["scope"] == {
        "kind": "agency",
        "code": "pupr",
        "name": "Dinas Pekerjaan Umum dan Penataan Ruang",
    }
    assert data["total"] == 1


@pytest.mark.django_db
def test_dashboard_downloads(client: Client, reports, koordinator) -> None:  # type: ignore[no-untyped-def]
    client.force_login(koordinator)
    xlsx = client.get("/statistik/dasbor/unduh/?year=2022&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "laporan-evaluasi-2022-01-01-2022-12-31.xlsx" in xlsx["Content-Disposition"]
    as_json = client.get("/statistik/dasbor/unduh/?year=2022&quarter=2&format=json")
    assert json.loads(as_json.content)["period"]["label"] == "Triwulan 2 2022"
    assert client.get("/statistik/dasbor/unduh/?year=2022&format=doc").status_code == 400


@pytest.mark.django_db
def test_the_xlsx_list_never_loads_an_anonymous_reporter(client: Client, reports, admin_dinkes) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_dinkes)
    with CaptureQueriesContext(connection) as queries:
        xlsx = client.get("/statistik/dasbor/unduh/?year=2022&format=xlsx")
    assert xlsx.status_code == 200
    # Enforced in the query (DOMAIN.md §6): the OPD's own report is anonymous, so no reporter
    # column is read for it, and the list never reads phone, email or NIK at all.
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for column in ("phone", "email", "nik"):
        assert f'"intake_reporter"."{column}"' not in sql
    rows = report_list_rows(Period.year(2022), Scope("agency", "dinkes"), actor=actor_for_user(admin_dinkes))
    assert rows and rows[0][-1] == "anonim"


@pytest.mark.django_db
def test_the_xlsx_never_turns_citizen_text_into_a_formula(client: Client, koordinator) -> None:  # type: ignore[no-untyped-def]
    import io

    from openpyxl import load_workbook

    title = '=HYPERLINK("http://evil.example/","klik")'
    with clock.travel(timezone.make_aware(dt.datetime(2022, 6, 6, 9))):
        report = submit(title=title, name="=1+1").report
        act(actor_for_user(koordinator), report, "verify", classification="aspirasi", category=PUPR)
    client.force_login(koordinator)
    xlsx = client.get("/statistik/dasbor/unduh/?year=2022&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content))["Daftar laporan"]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}
    for text in (title, "=1+1"):
        assert cells[text].data_type == "s"  # shown as typed, never run by the spreadsheet
