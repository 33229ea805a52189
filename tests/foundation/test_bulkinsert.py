"""aduan.core.bulkinsert writes exactly the rows bulk_create would, and skips conflicts on request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from aduan.core import bulkinsert, clock
from aduan.intake.models import Channel, Kind, Report, Reporter, Status
from aduan.notifications.models import OutboundMessage
from aduan.workflow.models import ReportEvent
from tests.factories import submit

NOW = dt.datetime(2026, 11, 3, 8, 15, 30, 123456, tzinfo=dt.UTC)


def report(number: str, **fields: Any) -> Report:
    now = NOW
    values: dict[str, Any] = {
        "tracking_number": number,
        "title": "Jalan <b>rusak</b> 'parah'",
        "original_text": 'Isi\n dengan \\ garis miring, kutip " dan emoji 🚧',
        "kind": Kind.ASPIRASI,  # an enum member, not a plain str
        "channel": Channel.SMS,
        "status": Status.BELUM_TERVERIFIKASI,
        "latitude": Decimal("-7.871234"),
        "longitude": None,
        "incident_date": dt.date(2026, 11, 2),
        "is_anonymous": True,
        "submitted_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return Report(**values)


def stored(model: Any, pk: int) -> dict[str, Any]:
    row = model.objects.get(pk=pk)
    return {k: v for k, v in model_to_dict(row).items() if k not in ("id", "tracking_number", "dedupe_key")}


def test_rows_equal_those_bulk_create_writes(db: None) -> None:
    reporter = Reporter(name="Siti", phone="+6281234567890")
    reference = Reporter(name="Siti", phone="+6281234567890")
    assert bulkinsert.insert([reporter]) == [True]
    Reporter.objects.bulk_create([reference])
    assert reporter.pk and stored(Reporter, reporter.pk) == stored(Reporter, reference.pk)
    assert Reporter.objects.get(pk=reporter.pk).created_at is not None  # auto_now_add was applied

    ours, theirs = report("2611-0000001", reporter=reporter), report("2611-0000002", reporter=reporter)
    bulkinsert.insert([ours])
    Report.objects.bulk_create([theirs])
    assert stored(Report, ours.pk) == stored(Report, theirs.pk)
    assert Report.objects.get(pk=ours.pk).kind == "aspirasi"

    events = [
        ReportEvent(
            report=r,
            action="submit",
            to_status="belum_terverifikasi",
            data={"a": [1, "dua"], "b": None},
            created_at=NOW,
        )
        for r in (ours, theirs)
    ]
    bulkinsert.insert(events[:1])
    ReportEvent.objects.bulk_create(events[1:])
    first, second = (stored(ReportEvent, e.pk) for e in events)
    assert first.pop("report") == ours.pk and second.pop("report") == theirs.pk
    assert first == second and first["data"] == {"a": [1, "dua"], "b": None}


def test_objects_come_back_saved_in_their_order(db: None) -> None:
    reporters = [Reporter(name=f"R{i}") for i in range(40)]
    assert bulkinsert.insert(reporters) == [True] * 40
    assert [Reporter.objects.get(pk=r.pk).name for r in reporters] == [f"R{i}" for i in range(40)]
    assert all(not r._state.adding for r in reporters)
    assert bulkinsert.insert([]) == []


def test_more_rows_than_one_statement_takes_go_in_several(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulkinsert, "MAX_PARAMETERS", 12)  # two Reporter rows per statement
    reporters = [Reporter(name=f"R{i}") for i in range(5)]
    assert bulkinsert.insert(reporters) == [True] * 5
    assert [Reporter.objects.get(pk=r.pk).name for r in reporters] == [f"R{i}" for i in range(5)]


def test_conflicts_are_skipped_only_when_asked(db: None) -> None:
    taken = submit().report
    batch = [report(taken.tracking_number), report("2611-0000003"), report("2611-0000003")]
    assert bulkinsert.insert(batch, conflict="tracking_number") == [False, True, False]
    assert batch[0].pk is None and batch[2].pk is None and batch[1].pk is not None
    assert Report.objects.filter(tracking_number="2611-0000003").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        bulkinsert.insert([report(taken.tracking_number)])


def test_a_message_already_queued_is_not_queued_twice(db: None) -> None:
    def message() -> OutboundMessage:
        now = clock.now()
        return OutboundMessage(
            channel="sms",
            to="+6281234567890",
            body="Hai",
            dedupe_key="once",
            created_at=now,
            next_attempt_at=now,
        )

    assert bulkinsert.insert([message()], conflict="dedupe_key") == [True]
    assert bulkinsert.insert([message(), message()], conflict="dedupe_key") == [False, False]
    assert OutboundMessage.objects.filter(dedupe_key="once").count() == 1
    # The unique index leaves empty keys out: those are all written, each with its own id.
    free = [message(), message()]
    for row in free:
        row.dedupe_key = ""
    assert bulkinsert.insert(free, conflict="dedupe_key") == [True, True]
    assert free[0].pk != free[1].pk and OutboundMessage.objects.filter(dedupe_key="").count() == 2


def message(key: str) -> OutboundMessage:
    now = clock.now()
    return OutboundMessage(
        channel="sms", to="+6281234567890", body="Hai", dedupe_key=key, created_at=now, next_attempt_at=now
    )


def test_write_reads_nothing_back_and_skips_conflicts_when_asked(db: None) -> None:
    first = [report("2611-0000011"), report("2611-0000012")]
    bulkinsert.write(first)
    assert first[0].pk is None  # nothing read back
    assert Report.objects.filter(tracking_number__in=["2611-0000011", "2611-0000012"]).count() == 2
    bulkinsert.write([report("2611-0000011"), report("2611-0000013")], conflict=True)
    assert Report.objects.filter(tracking_number="2611-0000011").count() == 1
    assert Report.objects.filter(tracking_number="2611-0000013").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        bulkinsert.write([report("2611-0000012")])


def test_together_writes_every_table_at_the_end_in_one_statement_on_postgresql(db: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        with bulkinsert.together():
            bulkinsert.write([message("a"), message("b")], conflict=True)
            bulkinsert.write([report("2611-0000021")])
            bulkinsert.write([message("a")], conflict=True)  # a conflict within the statement, skipped
            assert not OutboundMessage.objects.filter(dedupe_key__in=["a", "b"]).exists()  # not yet
        inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 3)
    assert OutboundMessage.objects.filter(dedupe_key__in=["a", "b"]).count() == 2
    assert Report.objects.filter(tracking_number="2611-0000021").exists()


def test_together_writes_nothing_when_its_block_raises(db: None) -> None:
    with pytest.raises(RuntimeError), bulkinsert.together():
        bulkinsert.write([message("never")])
        raise RuntimeError("refused")
    assert not OutboundMessage.objects.filter(dedupe_key="never").exists()
    with bulkinsert.together():  # and the next block starts afresh
        bulkinsert.write([message("later")])
    assert OutboundMessage.objects.filter(dedupe_key="later").count() == 1
