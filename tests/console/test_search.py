"""Console search through the full-text index, on both engines (issue 16): PostgreSQL's GIN index
over the stemmed shadow, SQLite's FTS5 table kept by triggers. Same answers either way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aduan.accounts.models import User
from aduan.core import paging
from aduan.intake.search import SQLITE_FTS_OBJECTS, ensure_sqlite_fts
from aduan.workflow.models import Disposition
from tests.conftest import as_actor
from tests.console.test_queues import listing, shown
from tests.factories import KESEHATAN, act, disposed, submit, verified
from tests.volume import copies_of

pytestmark = pytest.mark.django_db


def test_a_word_and_its_other_forms_find_the_report(login, koordinator: User) -> None:
    repaired = submit(
        title="Jembatan diperbaiki asal-asalan", description="Perbaikan jembatan desa Nglewan tidak rapi."
    ).report
    other = submit(title="Sampah menumpuk", description="Sampah pasar tidak diangkut.").report
    client = login(koordinator)
    for query in ("jembatan", "perbaikan", "diperbaiki", "memperbaiki", "JEMBATAN Nglewan"):
        html = listing(client, "semua", q=query)
        assert shown(html, repaired) and not shown(html, other), query
    # Whole words: a word's start is another word (the index answers whole words only).
    assert not shown(listing(client, "semua", q="jemb"), repaired)
    # Every word must be there: one the report lacks finds nothing.
    assert not shown(listing(client, "semua", q="jembatan pasar"), repaired)
    assert "Tidak ada laporan" in listing(client, "semua", q="gempa bumi")
    # Punctuation and query syntax are words apart, never an error.
    for query in ('jembatan" OR *', "jembatan & !pasar", "(jembatan)", "'"):
        assert listing(client, "semua", q=query)


def test_tracking_numbers_whole_or_their_start(login, koordinator: User) -> None:
    report, other = submit().report, submit(title="Sampah menumpuk").report
    client = login(koordinator)
    whole = listing(client, "semua", q=report.tracking_number)
    assert shown(whole, report) and not shown(whole, other)
    typed = listing(client, "semua", q=report.tracking_number.replace("-", " "))
    assert shown(typed, report) and not shown(typed, other)
    start = listing(client, "semua", q=report.tracking_number[:6])
    assert shown(start, report)


def test_the_index_follows_an_edit_of_the_text(login, koordinator: User) -> None:
    report = submit(title="Lampu penerangan mati", description="Gelap sejak seminggu.").report
    client = login(koordinator)
    assert shown(listing(client, "semua", q="lampu"), report)
    act(
        as_actor(koordinator),
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category=KESEHATAN,
        title="Sampah menumpuk di pasar",
    )
    assert not shown(listing(client, "semua", q="lampu"), report)
    assert shown(listing(client, "semua", q="sampah pasar"), report)


def test_an_opd_never_finds_another_opds_report(
    login, koordinator: User, admin_dinkes: User, admin_pupr: User
) -> None:
    k = as_actor(koordinator)
    theirs = disposed(k, lead="dinkes", title="Puskesmas kotor sekali")
    supporting = disposed(k, lead="pupr", supporting=["dinkes"], title="Puskesmas bocor atapnya")
    assert shown(listing(login(admin_dinkes), "semua", q="puskesmas"), theirs)
    html = listing(login(admin_pupr), "semua", q="puskesmas")
    assert not shown(html, theirs) and shown(html, supporting)
    # Withdrawn from the OPD: no longer found by it.
    Disposition.objects.filter(report=supporting, agency__code="dinkes").update(is_active=False)
    assert not shown(listing(login(admin_dinkes), "semua", q="bocor"), supporting)


def test_an_anonymous_reporters_words_stay_masked(login, koordinator: User, admin_dinkes: User) -> None:
    # The OPD reads an anonymous report masked: the name in its text finds nothing (handlers.verify).
    report = disposed(
        as_actor(koordinator),
        lead="dinkes",
        description="Saya Zulkarnain Hidayat, 081298765432, puskesmas tutup.",
        anonymous=True,
    )
    client = login(admin_dinkes)
    assert shown(listing(client, "semua", q="puskesmas"), report)
    assert not shown(listing(client, "semua", q="Zulkarnain"), report)
    assert not shown(listing(client, "semua", q="081298765432"), report)


@pytest.mark.parametrize("common", [False, True])
def test_search_queries_do_not_grow_with_rows(
    common: bool, login, koordinator: User, django_assert_num_queries, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rare word (the rows added lack it) and a common one (every row has it, past the cap at
    # both sizes): on PostgreSQL each takes its own way (found by key, or the walk in order).
    monkeypatch.setattr(paging, "SEARCH_CAP", 5 if common else 100)
    k = as_actor(koordinator)
    copies_of([submit().report, verified(k), disposed(k)], 6)
    client = login(koordinator)
    listing(client, "semua", q="puskesmas")
    with CaptureQueriesContext(connection) as few:
        before = listing(client, "semua", q="puskesmas")
    other = submit(title="Sampah menumpuk", description="Sampah pasar tidak diangkut.").report
    copies_of([submit().report if common else other], 120)
    with django_assert_num_queries(len(few.captured_queries)):
        html = listing(client, "semua", q="puskesmas")
    if common:
        assert "&gt; 5 laporan cocok" in before and "&gt; 5 laporan cocok" in html
    else:  # the same matches, none of the new rows
        assert "9 laporan" in before and "9 laporan" in html and "cocok" not in html


def test_a_search_past_its_cap_says_so_and_its_pages_stop_there(
    login, koordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A search counts to SEARCH_CAP, not to the list's cap: a frequent word's count walked 5,000
    # of an OPD's reports for a cap of 1,000 (issue 16).
    monkeypatch.setattr(paging, "SEARCH_CAP", 30)
    kotor = submit(title="Puskesmas kotor", description="Lantai puskesmas tidak pernah dipel.").report
    copies_of([kotor, submit(title="Sampah menumpuk", description="Sampah pasar tidak diangkut.").report], 80)
    client = login(koordinator)
    html = listing(client, "semua", q="puskesmas")  # 41 match
    assert "&gt; 30 laporan cocok; 30 yang pertama ditampilkan" in html
    url = reverse("console:queue", kwargs={"key": "semua"})
    second = client.get(url, {"q": "puskesmas", "hal": 2}).context["page"]
    assert (second.number, len(second.object_list), second.has_next()) == (2, 5, False)
    assert all("Puskesmas" in r.title for r in second.object_list)
    assert client.get(url, {"q": "puskesmas", "hal": 5}).context["page"].number == 2
    # The list without a search keeps the list's cap; below the search's cap the count is exact.
    assert "82 laporan" in listing(client, "semua")
    monkeypatch.setattr(paging, "SEARCH_CAP", 100)
    html = listing(client, "semua", q="sampah")
    assert "41 laporan" in html and "cocok" not in html


def test_sqlite_index_is_rebuilt_when_a_migration_dropped_its_triggers(
    login, koordinator: User, on_postgres: bool
) -> None:
    if on_postgres:
        pytest.skip("the FTS5 table and its triggers are SQLite's")
    before = submit(title="Saluran tersumbat").report
    with connection.cursor() as cursor:
        # What Django's SQLite schema editor does when it remakes intake_report for a new column.
        for trigger in sorted(SQLITE_FTS_OBJECTS - {"intake_report_fts"}):
            cursor.execute(f"DROP TRIGGER {trigger}")
    after = submit(title="Saluran jebol").report  # no trigger: not indexed
    ensure_sqlite_fts(connection)
    html = listing(login(koordinator), "semua", q="saluran")
    assert shown(html, before) and shown(html, after)


def test_the_csv_of_a_search_lists_its_matches(login, koordinator: User) -> None:
    kotor = submit(title="Puskesmas kotor", description="Lantai puskesmas tidak pernah dipel.").report
    other = submit(title="Sampah menumpuk", description="Sampah pasar tidak diangkut.").report
    client = login(koordinator)
    url = reverse("console:queue_csv", kwargs={"key": "semua"})
    body = client.get(url, {"q": "puskesmas dipel"}).getvalue().decode("utf-8-sig")
    assert kotor.tracking_number in body and other.tracking_number not in body
    assert len(body.splitlines()) == 2
    assert len(client.get(url, {"q": "gempa"}).getvalue().decode("utf-8-sig").splitlines()) == 1


def test_a_rare_words_search_leaves_the_planner_as_it_found_it(
    login, koordinator: User, on_postgres: bool
) -> None:
    # The GIN-only query turns the table walks off for itself; the request's enclosing transaction
    # (the test's here) must get them back.
    if not on_postgres:
        pytest.skip("PostgreSQL's planner settings")
    report = submit(title="Jembatan ambrol", description="Jembatan desa ambrol diterjang banjir.").report
    assert shown(listing(login(koordinator), "semua", q="ambrol"), report)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
        )
        after = cursor.fetchone()
    assert after[:2] == ("on", "on") and after[3] != "0", after
