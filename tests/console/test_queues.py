"""Queues, counts, filters, search and deadline colours of the console lists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aduan.console.queues import (
    AGENCY_QUEUES,
    filter_reports,
    queue_count_reports,
    queue_counts,
    queue_reports,
)
from aduan.core import clock, paging
from aduan.intake.models import Classification, Report
from tests.conftest import as_actor
from tests.factories import KESEHATAN, PUPR, act, disposed, owner, submit, verified

pytestmark = pytest.mark.django_db


def listing(client, key="semua", **params):
    response = client.get(reverse("console:queue", kwargs={"key": key}), params)
    assert response.status_code == 200
    return response.content.decode()


def shown(html, report: Report) -> bool:
    return reverse("console:report", kwargs={"tracking_number": report.tracking_number}) in html


def counts(html):
    """The queue tab counts as {queue key: number}."""
    return {
        k: int(n)
        for k, n in re.findall(
            r'href="/konsol/antrean/([a-z]+)/"[^>]*>[^<]*<span class="count[^"]*">(\d+)</span>', html
        )
    }


def test_coordinator_queues_and_counts(login, koordinator, admin_dinkes):
    coordinator = as_actor(koordinator)
    new = submit().report
    held = act(coordinator, submit().report, "hold", question="Di desa mana tepatnya?")
    ready = verified(coordinator)
    returned = disposed(coordinator, lead="dinkes")
    returned = act(as_actor(admin_dinkes), returned, "return", reason="Bukan kami.", proposed_agency="pupr")
    handled = disposed(coordinator, lead="dinkes")
    client = login(koordinator)

    html = listing(client, "baru")
    assert shown(html, new) and shown(html, returned) and not shown(html, ready)
    # The returned report is always on top of the new queue.
    assert html.index(returned.tracking_number) < html.index(new.tracking_number)
    assert counts(html) == {"baru": 2, "dikembalikan": 1, "siap": 1, "ditunda": 1, "terlambat": 0, "semua": 5}
    assert shown(listing(client, "ditunda"), held)
    assert shown(listing(client, "siap"), ready)
    assert shown(listing(client, "dikembalikan"), returned)
    everything = listing(client, "semua")
    assert all(shown(everything, r) for r in (new, held, ready, returned, handled))
    assert client.get(reverse("console:queue", kwargs={"key": "persetujuan"})).status_code == 404


def test_overdue_queue_and_deadline_colours(login, koordinator):
    start = timezone.make_aware(dt.datetime(2023, 4, 18, 9, 0))  # Tuesday before Idul Fitri 2023
    with clock.travel(start):
        report = submit().report
    report.refresh_from_db()
    assert report.due_at.date() == dt.date(2023, 4, 28)
    client = login(koordinator)
    with clock.travel(start + dt.timedelta(days=2)):
        html = listing(client, "baru")
        assert "due-ok" in html and not shown(listing(client, "terlambat"), report)
    with clock.travel(timezone.make_aware(dt.datetime(2023, 4, 27, 12, 0))):
        assert "due-ok" in listing(client, "baru")
    with clock.travel(timezone.make_aware(dt.datetime(2023, 4, 28, 8, 0))):
        # The start of the last of 3 working days: the sweep's reminder point, amber even before it ran.
        assert "due-warning" in listing(client, "baru")
    with clock.travel(timezone.make_aware(dt.datetime(2023, 5, 2, 8, 0))):
        html = listing(client, "terlambat")
        assert shown(html, report) and "due-overdue" in html
        assert counts(html)["terlambat"] == 1
        assert shown(listing(client, "semua", overdue="1"), report)


def test_filters(login, koordinator):
    coordinator = as_actor(koordinator)
    health = disposed(coordinator, lead="dinkes", region="35.02.17", channel="web")
    road = disposed(
        coordinator,
        lead="pupr",
        category=PUPR,
        region="35.02.01",
        channel="sms",
        classification=Classification.ASPIRASI,
        title="Lampu jalan padam",
        description="Lampu jalan di Slahung padam seminggu.",
    )
    client = login(koordinator)

    def only(expected, **params):
        html = listing(client, "semua", **params)
        assert shown(html, expected), params
        assert not shown(html, road if expected is health else health), params

    only(health, kecamatan="35.02.17")
    only(road, kecamatan="35.02.01")
    only(health, category=KESEHATAN)
    only(road, category=PUPR)
    only(road, agency="pupr")
    only(road, channel="sms")
    only(road, classification=Classification.ASPIRASI)
    only(health, classification=Classification.TIDAK_BERKADAR_PENGAWASAN)
    only(health, status="terdisposisi", agency="dinkes")
    today = clock.local_today()
    assert shown(listing(client, "semua", date_from=today.isoformat(), date_to=today.isoformat()), road)
    assert not shown(listing(client, "semua", date_from=(today + dt.timedelta(days=1)).isoformat()), road)


def test_search_is_stemmed_and_finds_tracking_numbers(login, koordinator):
    repaired = submit(
        title="Jembatan diperbaiki asal-asalan", description="Perbaikan jembatan desa Nglewan tidak rapi."
    ).report
    other = submit(title="Sampah menumpuk", description="Sampah pasar tidak diangkut.").report
    client = login(koordinator)
    html = listing(client, "semua", q="perbaikan")
    assert shown(html, repaired) and not shown(html, other)
    html = listing(client, "semua", q=other.tracking_number)
    assert shown(html, other) and not shown(html, repaired)
    assert "Tidak ada laporan" in listing(client, "semua", q="gempa bumi")


def test_htmx_filter_returns_only_the_results(login, koordinator):
    report = submit().report
    response = login(koordinator).get(
        reverse("console:queue", kwargs={"key": "semua"}),
        {"q": "puskesmas"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="queue-results",
    )
    html = response.content.decode()
    assert shown(html, report) and "<html" not in html


def test_pagination(login, koordinator):
    for i in range(27):
        submit(title=f"Laporan nomor {i}")
    client = login(koordinator)
    first, second = listing(client, "semua"), listing(client, "semua", hal=2)
    assert first.count('class="mono">') == 25 and second.count('class="mono">') == 2
    assert "Halaman 1 dari 2" in first


def test_opd_queues(login, koordinator, admin_dinkes, pejabat_dinkes):
    coordinator, dinkes = as_actor(koordinator), as_actor(admin_dinkes)
    fresh = disposed(coordinator, lead="dinkes")
    accepted = act(dinkes, disposed(coordinator, lead="dinkes"), "accept")
    drafted = act(dinkes, disposed(coordinator, lead="dinkes"), "draft_follow_up", text="Draf jawaban.")
    replied = disposed(coordinator, lead="dinkes")
    act(as_actor(pejabat_dinkes), replied, "follow_up", text="Sudah ditangani.")
    replied = act(owner(replied), replied, "reply", text="Belum beres.")
    client = login(admin_dinkes)
    html = listing(client, "baru")
    assert shown(html, fresh) and not shown(html, accepted)
    assert shown(listing(client, "diproses"), accepted)
    assert shown(listing(client, "persetujuan"), drafted) and not shown(listing(client, "persetujuan"), fresh)
    everything = listing(client, "semua")
    # The citizen's reply sits on top.
    assert everything.index(replied.tracking_number) < everything.index(fresh.tracking_number)
    assert shown(listing(client, "ditanggapi"), replied)
    assert counts(everything)["ditanggapi"] == 1
    assert "kecamatan" in everything.lower() and 'id="f-agency"' not in everything
    assert client.get(reverse("console:queue", kwargs={"key": "dikembalikan"})).status_code == 404


def test_reminder_and_escalation_from_the_sla_sweeps_are_visible(login, koordinator):
    from aduan.sla.sweeps import sweep_escalations, sweep_reminders

    start = timezone.make_aware(dt.datetime(2023, 4, 18, 9, 0))  # due Friday 28 April 2023
    with clock.travel(start):
        report = submit().report
    client = login(koordinator)
    page = reverse("console:report", args=[report.tracking_number])
    with clock.travel(timezone.make_aware(dt.datetime(2023, 4, 27, 12, 0))):
        assert sweep_reminders() == 0 and "due-ok" in listing(client, "baru")
    with clock.travel(timezone.make_aware(dt.datetime(2023, 4, 28, 8, 0))):
        assert "Segera jatuh tempo" not in listing(client, "baru")
        assert sweep_reminders() == 1
        assert "Segera jatuh tempo" in listing(client, "baru")
    with clock.travel(timezone.make_aware(dt.datetime(2023, 5, 2, 9, 0))):
        assert sweep_escalations() == 1
        html = listing(client, "terlambat")
        # Verification is the coordinator's own step: overdue with them, not "escalated to" them.
        assert shown(html, report) and "Terlambat: menunggu koordinator" in html
        assert "Terlambat: menunggu koordinator" in client.get(page).content.decode()


def test_citizens_clock_is_not_staff_overdue(login, koordinator, admin_pupr):
    coordinator = as_actor(koordinator)
    start = timezone.make_aware(dt.datetime(2023, 5, 8, 9, 0))
    with clock.travel(start):
        held = act(coordinator, submit().report, "hold", question="Alamat lengkapnya?")
        answered = disposed(coordinator, lead="pupr", category=PUPR)
        answered = act(as_actor(admin_pupr), answered, "follow_up", text="Sudah diperbaiki.")
    client = login(koordinator)
    with clock.travel(start + dt.timedelta(days=40)):
        html = listing(client, "terlambat")
        assert not shown(html, held) and not shown(html, answered)
        everything = listing(client, "semua")
        assert "Menunggu pelapor" in everything and "due-overdue" not in everything


def test_tabs_partial_for_polling(login, koordinator, admin_dinkes):
    submit()
    html = login(koordinator).get(reverse("console:tabs"), {"q": "baru"}).content.decode()
    assert "<html" not in html and 'aria-current="page"' in html and counts(html)["baru"] == 1
    assert counts(login(admin_dinkes).get(reverse("console:tabs")).content.decode())["semua"] == 0


def test_csv_export_follows_filters_and_carries_no_personal_data(login, koordinator, admin_pupr):
    coordinator = as_actor(koordinator)
    health = disposed(coordinator, lead="dinkes", name="Siti Aminah")
    formula = disposed(coordinator, lead="pupr", category=PUPR, title='=HYPERLINK("x")', region="35.02.01")
    client = login(koordinator)
    html = listing(client, "semua", kecamatan="35.02.17")
    assert "/konsol/antrean/semua/csv/?kecamatan=35.02.17" in html
    response = client.get(reverse("console:queue_csv", kwargs={"key": "semua"}), {"kecamatan": "35.02.17"})
    body = response.getvalue().decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert health.tracking_number in body and formula.tracking_number not in body
    assert "Siti" not in body and "siti@example.org" not in body
    body = client.get(reverse("console:queue_csv", kwargs={"key": "semua"})).getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    # An OPD's export holds only its own reports.
    body = (
        login(admin_pupr)
        .get(reverse("console:queue_csv", kwargs={"key": "semua"}))
        .getvalue()
        .decode("utf-8-sig")
    )
    assert formula.tracking_number in body and health.tracking_number not in body


def test_each_opd_queue_counts_exactly_the_reports_it_lists(
    koordinator, admin_dinkes, pejabat_dinkes, admin_pupr
):
    # The count's form (joined to the agency's own disposition, in the queue's state) holds the
    # page's reports in every step of the lifecycle, a supporting agency's included (issue 16).
    coordinator, dinkes, pupr = as_actor(koordinator), as_actor(admin_dinkes), as_actor(admin_pupr)
    pejabat = as_actor(pejabat_dinkes)  # dinkes's follow-ups need its liaison officer
    disposed(coordinator, lead="dinkes", title="Jalan baru")
    act(dinkes, disposed(coordinator, lead="dinkes"), "accept")
    act(dinkes, disposed(coordinator, lead="dinkes"), "draft_follow_up", text="Draf jawaban jalan.")
    followed = act(pejabat, disposed(coordinator, lead="dinkes"), "follow_up", text="Sudah ditangani.")
    replied = act(pejabat, disposed(coordinator, lead="dinkes"), "follow_up", text="Sudah.")
    act(owner(replied), replied, "reply", text="Belum beres.")
    done = act(pejabat, disposed(coordinator, lead="dinkes"), "follow_up", text="Sudah diperbaiki.")
    act(dinkes, done, "complete", note="Selesai.")
    reopened = act(pejabat, disposed(coordinator, lead="dinkes"), "follow_up", text="Beres.")
    reopened = act(dinkes, reopened, "complete", note="Selesai.")
    act(owner(reopened), reopened, "reopen", reason="Jalan rusak lagi.")
    act(
        dinkes,
        disposed(coordinator, lead="dinkes"),
        "return",
        reason="Bukan kewenangan kami.",
        proposed_agency="pupr",
    )
    supported = disposed(coordinator, lead="pupr", supporting=["dinkes"], category=PUPR)
    act(pupr, supported, "follow_up", text="Sudah diaspal.")
    disposed(coordinator, lead="pupr", supporting=["dinkes"], category=PUPR, title="Jalan berlubang")
    disposed(coordinator, lead="pupr", category=PUPR)  # not dinkes's
    assert followed.status == "ditindaklanjuti"
    for key in [q.key for q in AGENCY_QUEUES]:
        for params in ({}, {"q": "jalan"}):
            listed = set(filter_reports(queue_reports(dinkes, key), params).values_list("pk", flat=True))
            counted = filter_reports(queue_count_reports(dinkes, key), params)
            assert set(counted.values_list("pk", flat=True)) == listed, (key, params)
            assert paging.capped_count(counted) == len(listed), (key, params)
        assert queue_counts(dinkes)[key] == queue_reports(dinkes, key).count(), key
