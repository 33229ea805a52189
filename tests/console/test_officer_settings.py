"""Officer settings as console pages: the citizen topic list and the calendar corrections
(coordinator only), and what each changes where it shows."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aduan.directory.models import Category
from aduan.directory.services import DEFAULT_CITIZEN_TOPICS, categories_import
from aduan.sla.calendar import WorkingCalendar
from aduan.sla.models import CalendarDay

pytestmark = pytest.mark.django_db

KESEHATAN = "kesehatan"
CONSULAR = "legalisasi-konsuler"


def test_the_default_topic_list_is_a_kabupatens_and_staff_keep_the_whole_tree(client, login, koordinator):
    offered = set(
        Category.objects.filter(parent__isnull=True, is_citizen_topic=True).values_list("code", flat=True)
    )
    assert offered == DEFAULT_CITIZEN_TOPICS
    form = client.get("/lapor/").content.decode()
    assert 'value="kesehatan"' in form and 'value="perhubungan"' in form and 'value="kependudukan"' in form
    assert f'value="{CONSULAR}"' not in form and 'value="fasilitas-diplomatik"' not in form
    # Staff verify with the whole tree, names exactly as the national tree spells them.
    queue = login(koordinator).get("/konsol/antrean/semua/").content.decode()
    assert f'value="{CONSULAR}"' in queue
    assert ">NETRALITAS ASN<" in queue and ">PENDIDIKAN DAN KEBUDAYAAN<" in queue
    assert "Netralitas Asn" not in queue and "Pendidikan Dan Kebudayaan" not in queue
    # Open311 lists the citizen topics and their sub-topics only.
    services = json.loads(client.get("/api/open311/v2/services.json").content)
    codes = {s["service_code"] for s in services}
    assert KESEHATAN in codes and CONSULAR not in codes
    assert any(c.startswith(f"{KESEHATAN}--") for c in codes)
    # The API says which topics are the citizens' (the mobile app offers those).
    listed = {c["code"]: c for c in json.loads(client.get("/api/v1/categories").content)}
    assert listed[KESEHATAN]["citizen_topic"] and not listed[CONSULAR]["citizen_topic"]
    # A re-import leaves the coordinator's choice alone.
    Category.objects.filter(code=KESEHATAN).update(is_citizen_topic=False)
    categories_import()
    assert not Category.objects.get(code=KESEHATAN).is_citizen_topic


def test_console_pages_show_topic_names_as_the_national_tree_spells_them(login, koordinator):
    from tests.conftest import as_actor
    from tests.factories import verified

    report = verified(as_actor(koordinator), category="netralitas-asn")
    client = login(koordinator)
    for url in (
        "/konsol/antrean/semua/",
        f"/konsol/laporan/{report.tracking_number}/",
        "/konsol/laporan-baru/",
    ):
        page = client.get(url).content.decode()
        assert "NETRALITAS ASN" in page and "Netralitas Asn" not in page, url
        assert "Pendidikan Dan Kebudayaan" not in page, url


def test_the_coordinator_chooses_the_topics(client, login, koordinator):
    staff = login(koordinator)
    page = staff.get("/konsol/pengaturan/topik/")
    assert page.status_code == 200 and ">LEGALISASI KONSULER</label>" in page.content.decode()
    response = staff.post("/konsol/pengaturan/topik/", {"topic": [KESEHATAN, CONSULAR]})
    assert response.status_code == 302
    offered = set(Category.objects.filter(is_citizen_topic=True).values_list("code", flat=True))
    assert offered == {KESEHATAN, CONSULAR}
    form = client.get("/lapor/").content.decode()
    assert f'value="{CONSULAR}"' in form and 'value="perhubungan"' not in form
    # Bad input: a clear message, nothing changed.
    for bad in ({"topic": ["tidak-ada"]}, {}):
        refused = staff.post("/konsol/pengaturan/topik/", bad)
        assert refused.status_code == 400
        assert (
            "Topik tidak dikenal" in refused.content.decode()
            or "sedikitnya satu topik" in refused.content.decode()
        )
    assert set(Category.objects.filter(is_citizen_topic=True).values_list("code", flat=True)) == offered


def test_settings_pages_are_the_coordinators(login, admin_dinkes, pimpinan):
    for user in (admin_dinkes, pimpinan):
        client = login(user)
        for url in ("/konsol/pengaturan/", "/konsol/pengaturan/topik/", "/konsol/pengaturan/kalender/"):
            assert client.get(url).status_code == 403
        assert client.post("/konsol/pengaturan/topik/", {"topic": [KESEHATAN]}).status_code == 403
    assert Category.objects.get(code=CONSULAR).is_citizen_topic is False


def test_the_coordinator_corrects_the_calendar(login, koordinator):
    staff = login(koordinator)
    day = dt.date(2026, 8, 11)  # a Tuesday: Hari Jadi, a regional holiday
    assert WorkingCalendar.load().is_working_day(day)
    response = staff.post(
        "/konsol/pengaturan/kalender/", {"date": day.isoformat(), "name": "Hari Jadi Kabupaten Ponorogo"}
    )
    assert response.status_code == 302
    assert not WorkingCalendar.load().is_working_day(day)
    assert "Hari Jadi Kabupaten Ponorogo" in staff.get("/konsol/pengaturan/kalender/").content.decode()
    for bad in ({"date": "11-08-2026", "name": "x"}, {"date": day.isoformat(), "name": "  "}):
        refused = staff.post("/konsol/pengaturan/kalender/", bad)
        assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    staff.post("/konsol/pengaturan/kalender/", {"date": day.isoformat(), "delete": "1"})
    assert not CalendarDay.objects.exists() and WorkingCalendar.load().is_working_day(day)


def test_prose_and_the_citizens_form_keep_the_national_acronyms() -> None:
    from aduan.directory.names import nice_category_name

    # str.capitalize() made "Netralitas asn" in the evaluation's prose; str.title() "Netralitas Asn".
    # Both the prose and the form use nice_category_name.
    for shown in (nice_category_name,):
        assert shown("NETRALITAS ASN") == "Netralitas ASN"
        assert shown("PENDIDIKAN DAN KEBUDAYAAN") == "Pendidikan dan kebudayaan"
        assert shown("PROGRAM MAKAN BERGIZI GRATIS (MBG)") == "Program makan bergizi gratis (MBG)"
