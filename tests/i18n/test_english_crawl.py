"""Every main page in English shows no Indonesian of ours: a crawl of the citizen's and the
coordinator's pages, their text scanned for common Indonesian words once the data is taken out
(names of regions, agencies and national topics, the installation's name, the reports' own words).
Also the things a catalogue alone does not cover: dates, month names and plurals."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from aduan.accounts.models import User
from aduan.core import clock
from aduan.directory.models import Agency, Category, Region
from aduan.portal.forms import nice_category_name
from tests.conftest import as_actor
from tests.factories import disposed, submit
from tests.i18n.test_english import visible_text

pytestmark = pytest.mark.django_db

# Words of running Indonesian that English never uses (case-sensitive, whole words).
INDONESIAN = re.compile(
    r"\b(yang|dan|untuk|dengan|belum|sudah|tidak|laporan|Laporan|Tahun|Triwulan|hari kerja|warga|"
    r"atau|oleh|sampai|Januari|Februari|Maret|Mei|Juni|Juli|Agustus|Oktober|Desember|Semua|Simpan|"
    r"Kembali|Cari|Keluar|Masuk|Unduh|Jumlah|Kategori|Penilaian|Selesai|Diarsipkan|Ditindaklanjuti)\b"
)
TITLE = "Broken streetlight near the market"
TEXT = "The streetlight has been off for a week."


def english_client(user: User | None = None) -> Client:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    if user is not None:
        client.force_login(user)
    return client


def data_words() -> list[str]:
    """Names that are data, not our text: shown as they are in every language."""
    names = [str(settings.INSTALLATION_NAME), "Bahasa Indonesia", TITLE, TEXT]
    names += list(Agency.objects.values_list("name", flat=True))
    names += list(Agency.objects.values_list("short_name", flat=True))
    names += list(Region.objects.filter(code__startswith="35.02").values_list("name", flat=True))
    categories = list(Category.objects.values_list("name", flat=True))
    names += categories + [nice_category_name(n) for n in categories]  # the portal's sentence case
    return sorted({n for n in names if n}, key=len, reverse=True)


def indonesian_left(text: str, words: list[str]) -> list[str]:
    for name in words:
        text = text.replace(name, " ")
    return sorted(set(INDONESIAN.findall(text)))


@pytest.fixture
def world(koordinator: User) -> dict[str, str]:
    coordinator = as_actor(koordinator)
    with clock.travel(timezone.make_aware(dt.datetime(2022, 3, 14, 9))):
        report = disposed(coordinator, lead="dinkes", title=TITLE, description=TEXT, region="35.02.17")
        submit(title=TITLE, description=TEXT, region="35.02.01")
    return {"number": report.tracking_number}


def test_main_pages_show_no_indonesian_in_english(world: dict[str, str], koordinator: User) -> None:
    number = world["number"]
    citizen = english_client()
    staff = english_client(koordinator)
    pages = [
        (citizen, "/"),
        (citizen, "/lapor/"),
        (citizen, "/lacak/"),
        (citizen, "/lacak/lupa-kode/"),
        (citizen, "/laporan/"),
        (citizen, f"/laporan/{number}/"),
        (citizen, "/statistik/?year=2022"),
        (citizen, "/privasi/"),
        (citizen, "/akun/masuk/"),
        (citizen, "/akun/daftar/"),
        (staff, "/konsol/antrean/semua/"),
        (staff, f"/konsol/laporan/{number}/"),
        (staff, "/konsol/antrean/baru/"),
        (staff, "/konsol/laporan-baru/"),
        (staff, "/konsol/pemberitahuan/"),
        (staff, "/konsol/pengaturan/"),
        (staff, "/konsol/pengaturan/topik/"),
        (staff, "/konsol/pengaturan/kalender/"),
        (staff, "/statistik/dasbor/?year=2022"),
    ]
    words = data_words()
    found = {}
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        left = indonesian_left(visible_text(response), words)
        if left:
            found[url] = left
    assert not found, f"Indonesian on English pages: {found}"


def test_statistics_period_months_and_plurals_in_english(world: dict[str, str]) -> None:
    client = english_client()
    text = visible_text(client.get("/statistik/?year=2022"))
    assert "Year 2022" in text and "Tahun 2022" not in text
    assert "Mar 2022" in text and "January" in text  # the month rows and the month picker
    quarter = visible_text(client.get("/statistik/?year=2022&quarter=1"))
    assert "Quarter 1 2022" in quarter
    # "1 citizens say" was a plural written as a sentence after the number.
    from aduan.intake.models import Report

    report = Report.objects.get(tracking_number=world["number"])
    Report.objects.filter(pk=report.pk).update(support_count=1)
    page = visible_text(client.get(f"/laporan/{report.tracking_number}/"))
    assert "1 citizen says they have this problem too" in page
    Report.objects.filter(pk=report.pk).update(support_count=2)
    page = visible_text(client.get(f"/laporan/{report.tracking_number}/"))
    assert "2 citizens say they have this problem too" in page
