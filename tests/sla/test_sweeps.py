"""Reminders, escalation, auto-close and expired holds with frozen time (clock.travel)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aduan.accounts.models import User
from aduan.core import clock
from aduan.core.actors import Actor
from aduan.intake.models import ArchiveReason, ClosedBy, IdempotencyRecord, Report, Status, Step
from aduan.notifications.models import OutboundMessage
from aduan.sla.sweeps import (
    prune_idempotency_records,
    run_sweeps,
    sweep_auto_close,
    sweep_escalations,
    sweep_expired_holds,
    sweep_reminders,
)
from aduan.workflow.models import ReportEvent
from tests.conftest import as_actor
from tests.factories import act, disposed, submit

WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db

# Monday 2 October 2023: 14 working days (pengaduan tidak berkadar pengawasan) end on Friday 20
# October; 80 % (11 working days) is the end of Tuesday 17 October.
DISPOSED_AT = dt.datetime(2023, 10, 2, 9, 0, tzinfo=WIB)


def at(day: int, hour: int = 8, month: int = 10) -> dt.datetime:
    return dt.datetime(2023, month, day, hour, 0, tzinfo=WIB)


@pytest.fixture
def staff(staff_with_email: dict[str, User]) -> dict[str, User]:
    return staff_with_email


@pytest.fixture
def report(staff: dict[str, User]) -> Report:
    with clock.travel(DISPOSED_AT):
        return disposed(as_actor(staff["koordinator"]), lead="dinkes")


def recipients(report: Report, key: str) -> set[str]:
    return set(OutboundMessage.objects.filter(report=report, template_key=key).values_list("to", flat=True))


def test_reminder_goes_to_the_lead_agency_at_80_percent_once(report: Report) -> None:
    assert report.step == Step.FOLLOW_UP
    assert report.due_at.astimezone(WIB).date() == dt.date(2023, 10, 20)
    with clock.travel(at(17, 15)):
        assert sweep_reminders() == 0
    with clock.travel(at(18, 7)):
        assert sweep_reminders() == 1
        assert sweep_reminders() == 0  # idempotent: a second pass sends nothing more
    report.refresh_from_db()
    assert report.reminder_sent_at is not None
    assert recipients(report, "agency.reminder") == {"admin@dinkes.test", "dinkes@ponorogo.go.id"}
    assert OutboundMessage.objects.filter(template_key="agency.reminder").count() == 2
    # The other OPD hears nothing; the marker is no audit event and no state change.
    assert not OutboundMessage.objects.filter(to="admin@pupr.test").exists()
    assert report.status == Status.TERDISPOSISI
    # Audited, but staff-only: one `remind` event, not on the citizen's timeline.
    reminders = ReportEvent.objects.filter(report=report, action="remind")
    assert [(e.actor_role, e.is_public) for e in reminders] == [("system", False)]


def test_coordinator_step_reminds_the_coordinator(staff: dict[str, User]) -> None:
    with clock.travel(at(2, 9)):
        report = submit().report  # 3 working days to verify: due end of Thursday 5 October
    with clock.travel(at(4, 12)):
        assert sweep_reminders() == 0
    with clock.travel(at(5, 8)):
        assert sweep_reminders() == 1
    assert recipients(report, "coordinator.reminder") == {"koordinator@ponorogo.go.id"}


def test_breach_escalates_to_coordinator_then_head_of_opd(report: Report) -> None:
    with clock.travel(at(20, 16)):
        assert sweep_escalations() == 0  # due at the end of the day
    with clock.travel(at(21, 10)):  # Saturday after the deadline
        assert sweep_escalations() == 1
        assert sweep_escalations() == 0
    report.refresh_from_db()
    assert report.escalation_level == 1
    assert recipients(report, "coordinator.escalation") == {"koordinator@ponorogo.go.id"}
    assert recipients(report, "agency.escalation") == {"admin@dinkes.test", "dinkes@ponorogo.go.id"}
    assert not recipients(report, "head.escalation")
    # Level 2 after two further working days: Monday 23 and Tuesday 24 October.
    with clock.travel(at(24, 20)):
        assert sweep_escalations() == 0
    with clock.travel(at(25, 7)):
        assert sweep_escalations() == 1
        assert sweep_escalations() == 0
    report.refresh_from_db()
    assert report.escalation_level == 2
    assert recipients(report, "head.escalation") == {"kepala.dinkes@ponorogo.go.id"}
    assert report.status == Status.TERDISPOSISI


def test_a_new_step_resets_the_escalation(report: Report, staff: dict[str, User]) -> None:
    with clock.travel(at(23, 10)):
        sweep_escalations()
    report.refresh_from_db()
    assert report.escalation_level == 1
    with clock.travel(at(23, 11)):
        report = act(
            as_actor(staff["koordinator"]),
            report,
            "redispose",
            lead="dinkes",
            supporting=[],
            instruction="Segera.",
        )
    assert report.escalation_level == 0 and report.reminder_sent_at is None
    assert report.due_at.astimezone(WIB).date() > dt.date(2023, 11, 1)


def test_auto_close_after_the_reply_window_is_closed_by_the_system(
    report: Report, pejabat_dinkes: User
) -> None:
    with clock.travel(at(3, 10)):
        # Dinkes publishes through its pejabat penghubung (approval required there).
        report = act(as_actor(pejabat_dinkes), report, "follow_up", text="Jadwal puskesmas sudah diperbaiki.")
    assert report.status == Status.DITINDAKLANJUTI and report.step == Step.REPLY_WINDOW
    # 10 working days after Tuesday 3 October: Tuesday 17 October.
    assert report.due_at.astimezone(WIB).date() == dt.date(2023, 10, 17)
    with clock.travel(at(17, 22)):
        assert sweep_auto_close() == 0
    with clock.travel(at(18, 0)):
        assert sweep_auto_close() == 1
        assert sweep_auto_close() == 0
    report.refresh_from_db()
    assert report.status == Status.SELESAI
    assert report.closed_by == ClosedBy.SYSTEM
    event = ReportEvent.objects.filter(report=report).last()
    assert event is not None and event.action == "auto_close" and event.actor_role == "system"


def test_expired_hold_is_archived_as_incomplete(staff: dict[str, User]) -> None:
    coordinator: Actor = as_actor(staff["koordinator"])
    with clock.travel(at(2, 9)):
        report = submit().report
        report = act(coordinator, report, "hold", question="Di desa mana puskesmas itu?")
    assert report.step == Step.CLARIFICATION
    with clock.travel(at(16, 12)):
        assert sweep_expired_holds() == 0
    with clock.travel(at(17, 0)):
        assert sweep_expired_holds() == 1
    report.refresh_from_db()
    assert report.status == Status.DIARSIPKAN
    assert report.archive_reason == ArchiveReason.INCOMPLETE


def test_answered_hold_is_not_archived(staff: dict[str, User]) -> None:
    coordinator = as_actor(staff["koordinator"])
    with clock.travel(at(2, 9)):
        report = submit().report
        report = act(coordinator, report, "hold", question="Di desa mana?")
    with clock.travel(at(5, 9)):
        report = act(coordinator, report, "resume", answer="Desa Babadan (lewat telepon).")
    with clock.travel(at(30, 9)):
        assert sweep_expired_holds() == 0
    report.refresh_from_db()
    assert report.status == Status.BELUM_TERVERIFIKASI


def test_prune_idempotency_records_older_than_a_day(db: None) -> None:
    now = clock.now()
    for key, age in (("old", dt.timedelta(days=2)), ("new", dt.timedelta(hours=2))):
        IdempotencyRecord.objects.create(
            scope="device:x", key=key, fingerprint="f", status_code=201, response={}, created_at=now - age
        )
    assert prune_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_run_sweeps_twice_is_idempotent(report: Report) -> None:
    with clock.travel(at(25, 9)):
        first = run_sweeps()
        second = run_sweeps()
    assert first["escalated"] == 1 and second["escalated"] == 1  # one level per pass: 1, then 2
    with clock.travel(at(25, 10)):
        third = run_sweeps()
    assert third["escalated"] == 0 and third["reminded"] == 0
    assert OutboundMessage.objects.filter(template_key="head.escalation").count() == 1
    assert OutboundMessage.objects.filter(template_key="coordinator.escalation").count() == 1


def test_unverified_report_escalates_to_the_coordinator_then_the_head_of_the_coordinating_agency(
    staff: dict[str, User],
) -> None:
    with clock.travel(at(2, 9)):
        report = submit().report  # due end of Thursday 5 October
    with clock.travel(at(6, 9)):
        assert sweep_escalations() == 1
    assert recipients(report, "coordinator.escalation") == {"koordinator@ponorogo.go.id"}
    assert not recipients(report, "agency.escalation")  # no OPD holds it yet
    with clock.travel(at(9, 20)):  # two further working days: Friday 6 and Monday 9 October
        assert sweep_escalations() == 0
    with clock.travel(at(10, 0)):
        assert sweep_escalations() == 1
    assert recipients(report, "head.escalation") == {"kepala.diskominfo@ponorogo.go.id"}


def test_deadline_state_follows_reminder_and_escalation(report: Report) -> None:
    from aduan.sla.selectors import deadline_state

    assert deadline_state(report, at(3)).code == "on_time"
    with clock.travel(at(18)):
        sweep_reminders()
    report.refresh_from_db()
    assert deadline_state(report, at(18)).code == "reminded"
    assert deadline_state(report, at(21)).code == "overdue"
    with clock.travel(at(21)):
        sweep_escalations()
    report.refresh_from_db()
    state = deadline_state(report, at(21))
    assert state.code == "escalated_coordinator" and state.due == "Jumat, 20 Oktober 2023"


def test_old_task_results_are_pruned(db: None) -> None:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from aduan.sla.sweeps import prune_task_results
    from aduan.sla.tasks import sweep

    now = clock.now()
    for age in (10, 1):
        result = sweep.enqueue()
        DBTaskResult.objects.filter(id=result.id).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=now - dt.timedelta(days=age)
        )
    assert prune_task_results() == 1
    assert DBTaskResult.objects.count() == 1


def test_sweeps_deliver_their_messages_themselves(report: Report, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    OutboundMessage.objects.update(state=OutboundMessage.State.SENT)  # the disposition's, sent long ago
    with django_capture_on_commit_callbacks(execute=False) as callbacks, clock.travel(at(23, 9)):
        result = run_sweeps()
    assert result["escalated"] == 1
    # No delivery task per report: the sweep sent the escalation emails at its end.
    assert not [cb for cb in callbacks if getattr(cb, "__name__", "") == "_enqueue_delivery"]
    assert result["messages_sent"] == 3  # coordinator, the Dinkes admin, the Dinkes mailbox
    assert {to for m in mail.outbox for to in m.to} == {
        "koordinator@ponorogo.go.id",
        "admin@dinkes.test",
        "dinkes@ponorogo.go.id",
    }


def test_a_returned_report_escalates_within_the_coordinators_side_never_to_an_opds_head(
    report: Report, staff: dict[str, User]
) -> None:
    """Issue 15: a report returned as bukan kewenangan sits with the coordinator; its overdue states
    and the level-2 letter name the coordinating agency, not "kepala OPD"."""
    from aduan.sla.selectors import deadline_state

    with clock.travel(at(3, 9)):  # Tuesday: returned, 1 working day to re-dispose (end of Wednesday)
        act(as_actor(staff["admin_dinkes"]), report, "return", reason="Urusan PUPR.", proposed_agency="pupr")
    report.refresh_from_db()
    assert report.step == Step.RETURNED and report.lead_agency is None
    with clock.travel(at(5, 9)):
        assert sweep_escalations() == 1
    report.refresh_from_db()
    assert deadline_state(report, at(5, 9)).label == "Terlambat: menunggu koordinator"
    assert recipients(report, "coordinator.escalation") == {"koordinator@ponorogo.go.id"}
    with clock.travel(at(10, 9)):
        assert sweep_escalations() == 1
    report.refresh_from_db()
    label = deadline_state(report, at(10, 9)).label
    assert label == "Terlambat: dieskalasi ke kepala instansi koordinator" and "OPD" not in label
    [letter] = OutboundMessage.objects.filter(report=report, template_key="head.escalation")
    assert letter.to == "kepala.diskominfo@ponorogo.go.id"
    assert "Kepala Dinas Komunikasi" in letter.body and "Disposisi ulang" in letter.body
