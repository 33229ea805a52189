"""Access is enforced in the selectors and the service; every change is audited atomically."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core import serializers
from django.db import IntegrityError, transaction

from aduan.accounts.models import User
from aduan.core import clock
from aduan.core.actors import actor_for_user, citizen_with_access
from aduan.core.errors import InvalidInput, NotFound, PermissionDenied
from aduan.directory.models import Agency
from aduan.intake.models import Report, Status
from aduan.workflow.models import Disposition, ReportEvent
from aduan.workflow.selectors import (
    follow_ups_for,
    report_events_for,
    report_get_for,
    reporter_visible_to,
    reports_public,
    reports_visible_to,
)
from aduan.workflow.services import report_act
from tests.factories import act, disposed, submit

IDENTITY = {
    "name": "Rahasia Pelapor",
    "phone": "081298765432",
    "email": "rahasia@example.org",
    "nik": "3502171234560001",
}
IDENTITY_NEEDLES = [
    "Rahasia Pelapor",
    "+6281298765432",
    "081298765432",
    "rahasia@example.org",
    "3502171234560001",
]


@pytest.mark.django_db
def test_admin_of_other_opd_cannot_list_read_or_act(
    koordinator: User, admin_dinkes: User, admin_pupr: User
) -> None:
    report = disposed(actor_for_user(koordinator), lead="pupr")
    dinkes = actor_for_user(admin_dinkes)
    assert not reports_visible_to(dinkes).filter(pk=report.pk).exists()
    with pytest.raises(PermissionDenied):
        report_get_for(dinkes, tracking_number=report.tracking_number)
    for action, params in [
        ("accept", {}),
        ("follow_up", {"text": "Bukan urusan kami tapi kami jawab."}),
        ("return", {"reason": "x", "proposed_agency": "dishub"}),
        ("draft_follow_up", {"text": "x"}),
    ]:
        with pytest.raises(PermissionDenied):
            report_act(actor=dinkes, report_id=report.pk, action=action, params=params)
    # The agency it was disposed to does see it.
    pupr = actor_for_user(admin_pupr)
    assert list(reports_visible_to(pupr)) == [report]
    assert report_get_for(pupr, tracking_number=report.tracking_number) == report
    with pytest.raises(NotFound):
        report_get_for(pupr, tracking_number="0000-000000")


@pytest.mark.django_db
def test_supporting_agency_sees_but_cannot_return_or_complete(koordinator: User, admin_dinkes: User) -> None:
    report = disposed(actor_for_user(koordinator), lead="pupr", supporting=["dinkes"])
    dinkes = actor_for_user(admin_dinkes)
    assert reports_visible_to(dinkes).filter(pk=report.pk).exists()
    with pytest.raises(PermissionDenied) as error:
        report_act(
            actor=dinkes,
            report_id=report.pk,
            action="return",
            params={"reason": "x", "proposed_agency": "dishub"},
        )
    assert error.value.code == "not_lead_agency"


@pytest.mark.django_db
def test_after_bukan_kewenangan_the_returning_opd_loses_the_report(
    koordinator: User, admin_pupr: User
) -> None:
    coordinator = actor_for_user(koordinator)
    report = disposed(coordinator, lead="pupr")
    pupr = actor_for_user(admin_pupr)
    report = act(pupr, report, "return", reason="Ini jalan provinsi.", proposed_agency="dishub")
    assert report.status == Status.TERVERIFIKASI and report.is_returned and report.lead_agency is None
    assert report.step == "returned" and report.due_at is not None  # its own deadline: never a dead end
    assert not reports_visible_to(pupr).filter(pk=report.pk).exists()
    assert reports_visible_to(coordinator).filter(pk=report.pk, is_returned=True).exists()
    report = act(coordinator, report, "dispose", lead="dishub", supporting=[], instruction="")
    assert not report.is_returned and report.lead_agency == Agency.objects.get(code="dishub")


@pytest.mark.django_db
def test_nothing_an_opd_admin_loads_contains_an_anonymous_reporters_identity(
    koordinator: User, admin_pupr: User, pimpinan: User
) -> None:
    coordinator = actor_for_user(koordinator)
    report = disposed(coordinator, lead="pupr", anonymous=True, **IDENTITY)
    act(actor_for_user(admin_pupr), report, "follow_up", text="Sudah kami tinjau.")
    for user in (admin_pupr, pimpinan):
        actor = actor_for_user(user)
        loaded: list[object] = []
        loaded += list(reports_visible_to(actor).values())
        own = report_get_for(actor, tracking_number=report.tracking_number)
        loaded.append(serializers.serialize("json", [own]))
        loaded.append(reporter_visible_to(actor, own))
        loaded += list(report_events_for(actor, own).values())
        loaded += list(follow_ups_for(actor, own).values())
        dump = json.dumps(loaded, default=str)
        for needle in IDENTITY_NEEDLES:
            assert needle not in dump, (user.username, needle)
    # Only the coordinator knows who it was.
    reporter = reporter_visible_to(coordinator, report)
    assert reporter is not None and reporter.name == IDENTITY["name"] and reporter.phone == "+6281298765432"


@pytest.mark.django_db
def test_non_anonymous_reporter_is_visible_to_the_handling_opd(
    koordinator: User, admin_pupr: User, admin_dinkes: User
) -> None:
    report = disposed(actor_for_user(koordinator), lead="pupr", **IDENTITY)
    assert reporter_visible_to(actor_for_user(admin_pupr), report).name == IDENTITY["name"]  # type: ignore[union-attr]
    assert reporter_visible_to(actor_for_user(admin_dinkes), report) is None


@pytest.mark.django_db
def test_confidential_reports_never_public(koordinator: User) -> None:
    coordinator = actor_for_user(koordinator)
    public = disposed(coordinator, lead="pupr")
    secret = disposed(coordinator, lead="pupr", confidential=True)
    unverified = submit()
    assert list(reports_public()) == [public]
    assert secret not in reports_public() and unverified.report not in reports_public()


@pytest.mark.django_db
def test_citizen_sees_own_reports_only_and_public_timeline(koordinator: User, warga: User) -> None:
    mine = submit().report
    other = submit().report
    citizen = citizen_with_access(mine.pk)
    assert list(reports_visible_to(citizen)) == [mine]
    with pytest.raises(PermissionDenied):
        report_get_for(citizen, tracking_number=other.tracking_number)
    with pytest.raises(PermissionDenied):
        report_act(actor=citizen, report_id=other.pk, action="reply", params={"text": "x"})
    account = submit(actor=actor_for_user(warga)).report
    assert list(reports_visible_to(actor_for_user(warga))) == [account]
    report = disposed(actor_for_user(koordinator), lead="pupr")
    act(
        actor_for_user(koordinator), report, "redispose", lead="dishub", supporting=[], instruction="internal"
    )
    staff_actions = [e.action for e in report_events_for(actor_for_user(koordinator), report)]
    citizen_actions = [e.action for e in report_events_for(citizen_with_access(report.pk), report)]
    assert staff_actions == ["submit", "verify", "dispose", "redispose"]
    assert citizen_actions == ["submit", "verify", "dispose", "redispose"]  # all public actions
    act(
        actor_for_user(
            User.objects.create_user(
                "admin-dishub", role="opd_admin", agency=Agency.objects.get(code="dishub")
            )
        ),
        report,
        "accept",
    )
    assert [e.action for e in report_events_for(citizen_with_access(report.pk), report)][-1] == "redispose"


@pytest.mark.django_db
def test_audit_event_records_who_what_when(koordinator: User) -> None:
    report = submit().report
    moment = clock.now()
    event = report_act(
        actor=actor_for_user(koordinator),
        report_id=report.pk,
        action="hold",
        params={"question": "Lokasi tepatnya di mana?"},
    )
    event.refresh_from_db()
    assert event.actor_user == koordinator and event.actor_role == "coordinator"
    assert event.actor_agency == Agency.objects.get(code="diskominfo")
    assert (event.action, event.from_status, event.to_status) == ("hold", "belum_terverifikasi", "ditunda")
    assert event.note == "Lokasi tepatnya di mana?" and abs((event.created_at - moment).total_seconds()) < 5


@pytest.mark.django_db
def test_failed_action_leaves_nothing_half_written(koordinator: User) -> None:
    coordinator = actor_for_user(koordinator)
    report = act(
        coordinator,
        submit().report,
        "verify",
        classification="pengaduan_berkadar_pengawasan",
        category="kesehatan",
    )
    before = (ReportEvent.objects.count(), Disposition.objects.count())
    # Lead is valid, the supporting code is not: the service must not keep the lead disposition.
    with pytest.raises(InvalidInput) as error:
        report_act(
            actor=coordinator,
            report_id=report.pk,
            action="dispose",
            params={"lead": "dinkes", "supporting": ["nope"]},
        )
    assert error.value.code == "unknown_agency"
    # Berkadar pengawasan without the APIP is refused.
    with pytest.raises(InvalidInput) as error:
        report_act(
            actor=coordinator,
            report_id=report.pk,
            action="dispose",
            params={"lead": "dinkes", "supporting": []},
        )
    assert error.value.code == "apip_required"
    report.refresh_from_db()
    assert report.status == Status.TERVERIFIKASI
    assert (ReportEvent.objects.count(), Disposition.objects.count()) == before


@pytest.mark.django_db
def test_two_active_leads_are_impossible_in_the_database(koordinator: User) -> None:
    report = disposed(actor_for_user(koordinator), lead="pupr")
    with pytest.raises(IntegrityError), transaction.atomic():
        Disposition.objects.create(
            report=report, agency=Agency.objects.get(code="dinkes"), is_lead=True, created_at=clock.now()
        )
    redisposed = act(
        actor_for_user(koordinator), report, "redispose", lead="dinkes", supporting=["pupr"], instruction=""
    )
    leads = Disposition.objects.filter(report=redisposed, is_lead=True, is_active=True)
    assert [d.agency.code for d in leads] == ["dinkes"]


@pytest.mark.django_db
def test_verify_never_overwrites_the_citizens_text(koordinator: User) -> None:
    report = submit(description="Teks asli warga, dengan salah ketik. Pelakunya Pak Sukirman.").report
    assert "sukirman" in report.search_text
    report = act(
        actor_for_user(koordinator),
        report,
        "verify",
        classification="aspirasi",
        category="kesehatan",
        text="Teks yang sudah dirapikan.",
        title="Judul rapi",
    )
    assert report.original_text == "Teks asli warga, dengan salah ketik. Pelakunya Pak Sukirman."
    assert report.edited_text == "Teks yang sudah dirapikan." and report.display_title == "Judul rapi"
    assert "sukirman" not in report.search_text and "rapi" in report.search_text  # search follows the edit


@pytest.mark.django_db
def test_duplicate_follows_the_original(koordinator: User) -> None:
    coordinator = actor_for_user(koordinator)
    original = submit().report
    first_dup = act(coordinator, submit().report, "mark_duplicate", of=original.tracking_number)
    second_dup = submit().report
    with pytest.raises(InvalidInput) as error:
        report_act(
            actor=coordinator,
            report_id=second_dup.pk,
            action="mark_duplicate",
            params={"of": second_dup.tracking_number},
        )
    assert error.value.code == "duplicate_of_self"
    assert first_dup.status == Status.DIARSIPKAN and first_dup.archive_reason == "duplicate"
    assert first_dup.duplicate_of == original
    assert list(original.duplicates.all()) == [first_dup]


def test_only_the_lifecycle_service_writes_report_state() -> None:
    """A guard against the national system's failure mode: state changed behind the audit trail."""
    root = Path(__file__).resolve().parents[2] / "aduan"
    writers = []
    pattern = re.compile(r"(\.status\s*=\s*(?!=)|update\([^)]*\bstatus\s*=)")
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path.name == "services.py" and path.parent.name == "workflow":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line) and "report" in line.lower() and "follow" not in line.lower():
                writers.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert writers == []
    assert Report._meta.get_field("status").default == Status.BELUM_TERVERIFIKASI
