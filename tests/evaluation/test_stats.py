"""Every breakdown against a small hand-computed fixture, built through the real services.

Fixture (all in March 2022, clock travelled):
  r1 web, pengaduan tidak berkadar, Kesehatan, 35.02.17 desa; verified +1 wd, disposed dinkes,
     followed up +2 wd after disposal (pejabat approves), completed by the citizen, rated 4
  r2 mobile, aspirasi, PUPR, 35.02.01; verified +2 wd, disposed pupr, follow-up +7 wd (late: limit 5),
     auto-closed by the system
  r3 sms, pengaduan berkadar, Kesehatan, 35.02.17; verified, disposed dinkes + inspektorat; still open
  r4 web, permintaan informasi, 35.02.01; verified, archived (not_actionable)
  r5 web, pengaduan tidak berkadar, PUPR, 35.02.17; verified, marked duplicate of r2
  r6 staff, pengaduan (unverified), no region; still belum_terverifikasi
  r7 web, in April 2022 (outside the March period)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from aduan.core import clock
from aduan.core.actors import SYSTEM, actor_for_user
from aduan.evaluation.counts import counted_counter, refresh
from aduan.evaluation.facts import raw_counter
from aduan.evaluation.models import CountedDay, StatCount
from aduan.evaluation.stats import Period, Scope, evaluation, evaluation_for
from aduan.intake.models import Report
from aduan.sla.calendar import WorkingCalendar
from aduan.workflow.services import report_act
from tests.factories import KESEHATAN, PUPR, act, owner, submit

MARCH = Period.month(2022, 3)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def wd(day: dt.date, n: int) -> dt.date:
    return WorkingCalendar.load().add_working_days(day, n)


def on(day: dt.date, fn: Callable[..., Any], *args: Any, hour: int = 9, **kwargs: Any) -> Any:
    with clock.travel(at(day, hour)):
        return fn(*args, **kwargs)


@pytest.fixture
def fixture(koordinator, admin_dinkes, admin_pupr, pejabat_dinkes) -> dict[str, Report]:  # type: ignore[no-untyped-def]
    k, dinkes, pupr, pejabat = (
        actor_for_user(u) for u in (koordinator, admin_dinkes, admin_pupr, pejabat_dinkes)
    )
    d0 = dt.date(2022, 3, 1)  # a Tuesday, no holiday
    r1 = on(d0, submit, channel="web", region="35.02.17.1001", category=KESEHATAN).report
    on(
        wd(d0, 1),
        act,
        k,
        r1,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category=KESEHATAN,
    )
    on(wd(d0, 1), act, k, r1, "dispose", lead="dinkes", hour=10)
    draft = on(
        wd(d0, 3),
        report_act,
        actor=dinkes,
        report_id=r1.pk,
        action="draft_follow_up",
        params={"text": "Sudah ditangani."},
    )
    on(wd(d0, 3), act, pejabat, r1, "approve_follow_up", follow_up_id=draft.data["follow_up_id"], hour=10)
    on(wd(d0, 3), act, dinkes, r1, "follow_up", follow_up_id=draft.data["follow_up_id"], hour=11)
    on(wd(d0, 5), act, owner(r1), r1, "complete")
    on(wd(d0, 5), act, owner(r1), r1, "rate", score=4, hour=10)

    r2 = on(d0, submit, channel="mobile", kind="aspirasi", region="35.02.01", hour=10).report
    on(wd(d0, 2), act, k, r2, "verify", classification="aspirasi", category=PUPR)
    on(wd(d0, 2), act, k, r2, "dispose", lead="pupr", hour=10)
    on(wd(d0, 9), act, pupr, r2, "follow_up", text="Usulan dicatat.")
    on(wd(d0, 19), act, SYSTEM, r2, "auto_close")

    r3 = on(d0, submit, channel="sms", region="35.02.17", name="", email="", hour=11).report
    on(
        wd(d0, 1),
        act,
        k,
        r3,
        "verify",
        classification="pengaduan_berkadar_pengawasan",
        category=KESEHATAN,
        anonymous=True,
    )
    on(wd(d0, 1), act, k, r3, "dispose", lead="dinkes", supporting=["inspektorat"], hour=10)

    r4 = on(d0, submit, channel="web", kind="permintaan_informasi", region="35.02.01", hour=12).report
    on(wd(d0, 1), act, k, r4, "verify", classification="permintaan_informasi", category=KESEHATAN)
    on(wd(d0, 1), act, k, r4, "archive", reason="not_actionable", hour=10)

    r5 = on(d0, submit, channel="web", region="35.02.17", hour=13).report
    on(wd(d0, 1), act, k, r5, "verify", classification="pengaduan_tidak_berkadar_pengawasan", category=PUPR)
    on(wd(d0, 4), act, k, r5, "mark_duplicate", of=r2.tracking_number)

    r6 = on(dt.date(2022, 3, 31), submit, channel="staff", actor=k, region=None).report
    r7 = on(dt.date(2022, 4, 4), submit, channel="web").report
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5, "r6": r6, "r7": r7}


@pytest.mark.django_db
def test_counts_by_channel_classification_status_and_outcome(fixture: dict[str, Report]) -> None:
    data = evaluation_for(MARCH)
    assert data["total"] == 6
    assert data["by_channel"] == {
        "web": 3,
        "mobile": 1,
        "sms": 1,
        "email": 0,
        "whatsapp": 0,
        "api": 0,
        "staff": 1,
        "instansi": 0,
    }
    assert data["by_kind"] == {"pengaduan": 4, "aspirasi": 1, "permintaan_informasi": 1}
    assert data["by_classification"] == {
        "pengaduan_berkadar_pengawasan": 1,
        "pengaduan_tidak_berkadar_pengawasan": 2,
        "permintaan_informasi": 1,
        "aspirasi": 1,
    }
    assert data["unclassified"] == 1
    assert data["by_status"]["selesai"] == 2
    assert data["by_status"]["terdisposisi"] == 1
    assert data["by_status"]["diarsipkan"] == 2
    assert data["by_status"]["belum_terverifikasi"] == 1
    outcome = data["by_outcome"]
    assert (outcome["disposed"], outcome["followed_up"], outcome["completed"], outcome["archived"]) == (
        3,
        2,
        2,
        2,
    )
    assert outcome["closed_by_system"] == 1
    assert outcome["duplicates"] == 1
    assert outcome["archived_by_reason"]["not_actionable"] == 1
    assert outcome["archived_by_reason"]["duplicate"] == 1
    assert outcome["open"] == 2
    assert outcome["completed_by"]["citizen"] == 1 and outcome["completed_by"]["system"] == 1
    assert data["by_month"] == {"2022-03": 6}
    # Resolution: 2 followed up of the 4 not archived.
    assert data["resolution"]["share"] == 50.0
    assert data["resolution"]["band"]["code"] == "50_to_90"


@pytest.mark.django_db
def test_category_kecamatan_desa_and_agency(fixture: dict[str, Report]) -> None:
    data = evaluation_for(MARCH)
    assert data["by_category"]["kesehatan"]["count"] == 3
    assert data["by_category"]["pekerjaan-umum-dan-penataan-ruang"]["count"] == 2
    assert data["by_category"]["tanpa_kategori"]["count"] == 1
    assert data["by_kecamatan"]["35.02.17"] == {"name": "Ponorogo", "count": 3}
    assert data["by_kecamatan"]["35.02.01"]["count"] == 2
    assert data["by_kecamatan"]["tanpa_lokasi"]["count"] == 1
    assert len([c for c in data["by_kecamatan"] if c.startswith("35.02.")]) == 21  # all kecamatan, zeros too
    assert list(data["by_desa"]) == ["35.02.17.1001"]
    assert {code: e["count"] for code, e in data["by_agency"].items()} == {"dinkes": 2, "pupr": 1}


@pytest.mark.django_db
def test_times_deadlines_ratings_and_league(fixture: dict[str, Report]) -> None:
    data = evaluation_for(MARCH)
    times = data["times_working_days"]
    # verify: r1 1, r2 2, r3 1, r4 1, r5 1 → median 1, p90 (nearest rank 5 of 5) 2
    assert times["verify"]["n"] == 5
    assert times["verify"]["median"] == 1
    assert times["verify"]["p90"] == 2
    # first follow-up from submission: r1 3, r2 9 → median 6.0
    assert times["first_follow_up"]["n"] == 2
    assert times["first_follow_up"]["median"] == 6.0
    assert times["first_follow_up"]["by_classification"]["aspirasi"]["median"] == 9
    # completion: r1 5, r2 19
    assert times["completion"]["median"] == 12.0
    assert times["completion"]["p90"] == 19
    follow = data["within_deadline"]["follow_up"]
    assert follow["pengaduan_tidak_berkadar_pengawasan"] == {
        "limit_working_days": 14,
        "within": 1,
        "late": 0,
        "share_within": 100.0,
    }
    assert follow["aspirasi"]["late"] == 1  # 7 working days from disposal, limit 5
    assert data["within_deadline"]["verification"]["within"] == 3
    assert data["ratings"] == {
        "count": 1,
        "average": 4.0,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0},
    }
    league = {row["code"]: row for row in data["league"]}
    assert (
        league["dinkes"]["total"] == 2
        and league["dinkes"]["followed_up"] == 1
        and league["dinkes"]["within_deadline"] == 1
    )
    assert league["pupr"]["late"] == 1
    assert league["pupr"]["rank"] == 1  # 100 % followed up beats 50 %
    assert data["reopen"] == {"count": 0, "rate": 0.0}


@pytest.mark.django_db
def test_bukan_kewenangan_returns_per_agency(koordinator, admin_pupr) -> None:  # type: ignore[no-untyped-def]
    k, pupr = actor_for_user(koordinator), actor_for_user(admin_pupr)
    d0 = dt.date(2022, 5, 9)
    r = on(d0, submit).report
    on(d0, act, k, r, "verify", classification="aspirasi", category=KESEHATAN, hour=10)
    on(d0, act, k, r, "dispose", lead="pupr", hour=11)
    on(d0, act, pupr, r, "return", reason="Bukan kewenangan kami.", proposed_agency="dinkes", hour=12)
    on(d0, act, k, r, "dispose", lead="dinkes", hour=13)
    data = evaluation_for(Period.month(2022, 5))
    assert {code: e["count"] for code, e in data["returns_by_agency"].items()} == {"pupr": 1}
    assert data["by_outcome"]["returned"] == 1
    assert {code: e["count"] for code, e in data["by_agency"].items()} == {"dinkes": 1}
    assert data["league"][0]["code"] == "dinkes"


@pytest.mark.django_db
def test_scope_agency_and_kecamatan(fixture: dict[str, Report]) -> None:
    dinkes = evaluation_for(MARCH, Scope("agency", "dinkes"))
    assert dinkes["total"] == 2
    assert dinkes["by_channel"]["sms"] == 1
    kec = evaluation_for(MARCH, Scope("kecamatan", "35.02.17"))
    assert kec["total"] == 3
    assert list(kec["by_kecamatan"]) == ["35.02.17"]


@pytest.mark.django_db
def test_pre_aggregated_path_equals_raw_and_stays_current(  # type: ignore[no-untyped-def]
    fixture: dict[str, Report], koordinator, django_capture_on_commit_callbacks
) -> None:
    start, end = dt.date(2022, 1, 1), dt.date(2022, 12, 31)
    raw = raw_counter(start, end)
    with clock.travel(at(dt.date(2022, 6, 1))):
        assert refresh(start=start, end=end) == 12  # months recounted
    assert CountedDay.objects.filter(day__range=(start, end)).count() == 365
    assert counted_counter(start, end) == raw
    # generated_at aside (two calls may fall in different seconds).
    assert evaluation(start, end) | {"generated_at": ""} == evaluation(start, end, use_counts=False) | {
        "generated_at": ""
    }
    for scope in ("", "agency:dinkes", "kecamatan:35.02.17"):
        assert counted_counter(start, end, scope) == raw_counter(start, end, scope)
        # A custom range: day rows (kabupaten) or raw rows (a scope) for the partial months.
        partial = (dt.date(2022, 3, 2), dt.date(2022, 4, 20))
        assert counted_counter(*partial, scope) == raw_counter(*partial, scope)
    assert {"d", "m", "q", "y"} <= set(StatCount.objects.values_list("grain", flat=True))
    first_quarter = (dt.date(2022, 1, 1), dt.date(2022, 3, 31))
    assert counted_counter(*first_quarter, "agency:dinkes") == raw_counter(*first_quarter, "agency:dinkes")
    # A new event makes its submission day stale: the figures move at once, before any refresh.
    r6 = fixture["r6"]
    with django_capture_on_commit_callbacks(execute=True):
        act(actor_for_user(koordinator), r6, "archive", reason="spam")
    day = timezone.localdate(r6.submitted_at)
    stale = CountedDay.objects.get(day=day)
    assert stale.version != stale.counted_version
    assert evaluation_for(MARCH)["by_outcome"]["archived"] == 3
    assert refresh(start=start, end=end) == 1  # only March
    assert counted_counter(start, end) == raw_counter(start, end)
    assert evaluation_for(MARCH)["by_outcome"]["archived_by_reason"]["spam"] == 1


@pytest.mark.django_db
def test_period_parsing() -> None:
    assert Period.from_params({"year": "2022", "quarter": "2"}).start == dt.date(2022, 4, 1)
    assert Period.from_params({"year": "2022", "month": "2"}).end == dt.date(2022, 2, 28)
    custom = Period.from_params({"date_from": "2022-03-05", "date_to": "2022-04-01"})
    assert (custom.start, custom.end) == (dt.date(2022, 3, 5), dt.date(2022, 4, 1))
    from aduan.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        Period.from_params({"year": "abc"})
    with pytest.raises(InvalidInput):
        Period.from_params({"date_from": "2022-05-01", "date_to": "2022-04-01"})
