"""The tamper-evident audit trail (issue 13 item 7): every event is a link of its report's hash
chain, written with it; `aduan audit verify` names the first link an edit in SQL broke."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.intake import groupcommit
from aduan.intake.models import Report
from aduan.workflow import audit
from aduan.workflow.models import ReportEvent
from tests.factories import PUPR, act, disposed, owner
from tests.foundation.test_groupcommit import submission

TABLE = ReportEvent._meta.db_table


def followed_up(koordinator: User, admin_pupr: User) -> Report:
    """A report with six events: submit, verify, dispose, accept, follow_up, complete."""
    report = disposed(actor_for_user(koordinator), lead="pupr", category=PUPR)
    opd = actor_for_user(admin_pupr)
    act(opd, report, "accept")
    act(opd, report, "follow_up", text="Jadwal layanan sudah ditertibkan.")
    return act(owner(report), report, "complete")


def events_of(report: Report) -> list[ReportEvent]:
    return list(ReportEvent.objects.filter(report=report).order_by("seq"))


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{t}", connection.ops.quote_name(TABLE)), params)


def test_every_writer_chains_its_events_in_the_same_transaction(db: None, koordinator, admin_pupr) -> None:
    report = followed_up(koordinator, admin_pupr)
    events = events_of(report)
    assert [e.action for e in events] == ["submit", "verify", "dispose", "accept", "follow_up", "complete"]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].prev_hash == audit.anchor(report.tracking_number)
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert (report.audit_seq, report.audit_head) == (6, events[-1].hash)
    # The intake group commit writes the first links in bulk (one statement on PostgreSQL).
    group = [submission(), submission(title="Jembatan retak", phone="")]
    groupcommit.write_group(group)
    numbers = [s.outcome.body["tracking_number"] for s in group if s.outcome]
    for new in Report.objects.filter(tracking_number__in=numbers):
        (first,) = events_of(new)
        assert (first.seq, first.prev_hash) == (1, audit.anchor(new.tracking_number))
        assert (new.audit_seq, new.audit_head) == (1, first.hash)
    result = audit.verify()
    assert result.breaks == [] and result.reports == 3 and result.events == 8
    batched = audit.verify(chunk=2)  # reports read in batches: the same answer
    assert (batched.breaks, batched.reports, batched.events) == ([], 3, 8)


def test_a_rolled_back_action_leaves_neither_event_nor_head(db: None, koordinator) -> None:
    coordinator = actor_for_user(koordinator)
    report = disposed(coordinator)
    head = (report.audit_seq, report.audit_head)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        act(coordinator, report, "redispose", lead="pupr", supporting=[], instruction="x")
        raise RuntimeError("undo")
    report.refresh_from_db()
    assert (report.audit_seq, report.audit_head) == head
    assert audit.verify().breaks == []


# Each edit an intruder with database access might make, and the link it must break.
Tamper = Callable[[list[ReportEvent]], int]  # returns the id of the event the break names


def delete_event(pk: int) -> None:
    # The outbox rows the event caused go first (a foreign key), as an intruder would have to.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_outboundmessage WHERE event_id = %s", [pk])
        cursor.execute("DELETE FROM notifications_staffnotice WHERE event_id = %s", [pk])
    sql("DELETE FROM {t} WHERE id = %s", [pk])


def edit_payload(events: list[ReportEvent]) -> int:
    sql("UPDATE {t} SET data = %s WHERE id = %s", ['{"lead": "dinkes", "supporting": []}', events[2].pk])
    return events[2].pk


def edit_note(events: list[ReportEvent]) -> int:
    sql("UPDATE {t} SET note = %s WHERE id = %s", ["Sudah beres.", events[4].pk])
    return events[4].pk


def edit_time(events: list[ReportEvent]) -> int:
    earlier = events[1].created_at - dt.timedelta(days=3)
    sql("UPDATE {t} SET created_at = %s WHERE id = %s", [earlier, events[1].pk])
    return events[1].pk


def edit_actor(events: list[ReportEvent]) -> int:
    sql("UPDATE {t} SET actor_role = %s, actor_agency_id = NULL WHERE id = %s", ["coordinator", events[3].pk])
    return events[3].pk


def delete_middle(events: list[ReportEvent]) -> int:
    delete_event(events[2].pk)
    return events[3].pk


def delete_last(events: list[ReportEvent]) -> int:
    delete_event(events[-1].pk)
    return events[-2].pk


def delete_and_renumber(events: list[ReportEvent]) -> int:
    # A careful intruder closes the gap too: the next event's link to its predecessor still breaks.
    delete_event(events[2].pk)
    for event in events[3:]:
        sql("UPDATE {t} SET seq = %s WHERE id = %s", [event.seq - 1, event.pk])
    return events[3].pk


def reorder(events: list[ReportEvent]) -> int:
    # Swap the positions of the 2nd and 3rd events (through a free position: seq is unique).
    second, third = events[1], events[2]
    sql("UPDATE {t} SET seq = %s WHERE id = %s", [999, second.pk])
    sql("UPDATE {t} SET seq = %s WHERE id = %s", [2, third.pk])
    sql("UPDATE {t} SET seq = %s WHERE id = %s", [3, second.pk])
    return third.pk


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (edit_payload, "isi peristiwa tidak cocok"),
        (edit_note, "isi peristiwa tidak cocok"),
        (edit_time, "isi peristiwa tidak cocok"),
        (edit_actor, "isi peristiwa tidak cocok"),
        (delete_middle, "urutan 3 tidak ada"),
        (delete_last, "kepala rantai"),
        (delete_and_renumber, "hash pendahulu tidak cocok"),
        (reorder, "hash pendahulu tidak cocok"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_an_edit_in_sql_is_named_by_audit_verify(
    db: None, koordinator, admin_pupr, tamper: Tamper, says: str
) -> None:
    untouched = followed_up(koordinator, admin_pupr)
    report = followed_up(koordinator, admin_pupr)
    call_command("audit", "verify")  # intact before
    named = tamper(events_of(report))

    (found,) = audit.verify().breaks
    assert (found.report_id, found.tracking_number, found.event_id) == (
        report.pk,
        report.tracking_number,
        named,
    )
    assert says in found.what
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1 and "1 laporan" in str(failure.value)
    assert audit.verify(report_ids=[untouched.pk]).breaks == []


def test_the_command_prints_the_first_broken_link(db: None, koordinator, admin_pupr, capsys) -> None:
    report = followed_up(koordinator, admin_pupr)
    events = events_of(report)
    edit_note(events)
    edit_payload(events)  # earlier in the chain: this one is named
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--report", report.tracking_number)
    out = capsys.readouterr().out
    assert (
        f"RUSAK laporan {report.tracking_number} (id {report.pk}), peristiwa #{events[2].pk} (urutan 3)"
        in out
    )
    assert out.count("RUSAK") == 1


def test_a_forked_chain_is_refused_and_a_user_in_the_trail_cannot_be_deleted(
    db: None, koordinator, admin_pupr
) -> None:
    report = disposed(actor_for_user(koordinator))
    first = events_of(report)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportEvent.objects.create(
            report=report, action="note", to_status=report.status, seq=first.seq, created_at=first.created_at
        )
    # SET_NULL on the acting user would rewrite the trail: such a user is deactivated instead.
    with pytest.raises(ProtectedError):
        User.objects.get(pk=koordinator.pk).delete()
