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

    # A str, a number or a bool in a JSON field is a JSON document of its own, not SQL text.
    for i, data in enumerate(("teks", 7, True)):
        pair = [
            # Each at its own position of the report's audit chain (one event per position).
            ReportEvent(
                report=ours, action="note", to_status="x", data=data, created_at=NOW, seq=2 + 2 * i + j
            )
            for j in range(2)
        ]
        bulkinsert.insert(pair[:1])
        ReportEvent.objects.bulk_create(pair[1:])
        assert (
            ReportEvent.objects.get(pk=pair[0].pk).data == data == ReportEvent.objects.get(pk=pair[1].pk).data
        )


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


def test_insert_inside_together_takes_keys_at_once_and_writes_rows_that_refer_to_each_other(db: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reporter = Reporter(name="Sri", phone="+6281234567890", email="", nik="")
    first, second = report("2611-0000031"), report("2611-0000032")
    with CaptureQueriesContext(connection) as queries, bulkinsert.atomic():
        bulkinsert.insert([reporter])
        assert reporter.pk is not None  # known before anything is written
        first.reporter = second.reporter = reporter
        bulkinsert.insert([first, second])
        assert first.pk is not None and second.pk is not None and first.pk != second.pk
        events = [
            ReportEvent(report=r, action="submit", from_status="", to_status=r.status, created_at=NOW)
            for r in (first, second)
        ]
        bulkinsert.insert(events)
        if connection.vendor == "postgresql":
            assert not Report.objects.filter(pk=first.pk).exists()  # not yet: at the end of the block
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 3)
    stored = Report.objects.get(pk=first.pk)
    assert stored.reporter_id == reporter.pk and stored.tracking_number == "2611-0000031"
    assert set(ReportEvent.objects.values_list("report_id", flat=True)) == {first.pk, second.pk}


def test_a_duplicate_inside_atomic_raises_at_its_end_and_writes_nothing(db: None) -> None:
    taken = report("2611-0000041")
    bulkinsert.insert([taken])
    with pytest.raises(IntegrityError), bulkinsert.atomic():
        bulkinsert.write([message("kept-out")])
        bulkinsert.insert([report("2611-0000041")], conflict="tracking_number")
        # (SQLite inserts at once, skipping the duplicate; a row of its own then fails the block.)
        bulkinsert.insert([report("2611-0000041")])
    assert not OutboundMessage.objects.filter(dedupe_key="kept-out").exists()
    assert Report.objects.filter(tracking_number="2611-0000041").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_outermost_atomic_on_postgresql_is_one_statement_without_begin_or_commit(
    on_postgres: bool, tmp_path: Any
) -> None:
    """What the group commit relies on: its transaction is one round trip. libpq's trace of the
    connection shows what went to the server."""
    from django.db import connection

    if not on_postgres:
        pytest.skip("PostgreSQL only: elsewhere atomic() is an ordinary transaction")
    reporter = Reporter(name="Sri", phone="", email="", nik="")
    rows = [report("2611-0000051"), report("2611-0000052")]
    committed: list[bool] = []
    connection.ensure_connection()
    bulkinsert._reserve(Reporter, "default", 1)  # sequences read before the trace (also alone)
    bulkinsert._reserve(Report, "default", 2)
    trace = tmp_path / "libpq.trace"
    with trace.open("w") as out:
        pgconn = connection.connection.pgconn
        pgconn.trace(out.fileno())
        try:
            with bulkinsert.atomic():
                bulkinsert.insert([reporter])
                for row in rows:
                    row.reporter = reporter
                bulkinsert.insert(rows)
                bulkinsert.write([message("one-statement")], conflict=True)
                transaction.on_commit(lambda: committed.append(True))
        finally:
            pgconn.untrace()
    sent = [line for line in trace.read_text().splitlines() if "\tF\t" in line or line.startswith("F")]
    text = "\n".join(sent)
    assert "BEGIN" not in text and "COMMIT" not in text, text
    assert text.count("INSERT INTO") == 3 and text.count("WITH") == 1, text
    assert committed == [True]
    assert Report.objects.filter(reporter=reporter).count() == 2
    assert OutboundMessage.objects.filter(dedupe_key="one-statement").exists()


@pytest.mark.django_db(transaction=True)
def test_a_statement_alone_commits_even_when_its_block_rolls_back(on_postgres: bool) -> None:
    """fastsql.query(alone=True) inside an atomic block that has sent nothing yet: committed on
    its own (what nextval needs: the block's transaction is not begun for it)."""
    from aduan.core import fastsql

    if not on_postgres:
        pytest.skip("PostgreSQL only")
    with pytest.raises(RuntimeError), transaction.atomic():
        fastsql.query(
            'INSERT INTO notifications_outboundmessage (channel, "to", template_key, recipient_kind, subject,'
            " body, secret, dedupe_key, state, attempts, next_attempt_at, last_error, provider_id, created_at)"
            " VALUES ('sms', '+62812', '', '', '', 'x', '', 'alone', 'pending', 0, now(), '', '', now())",
            [],
            alone=True,
            fetch=False,
        )
        OutboundMessage.objects.create(**{**_message_fields("in-block")})
        raise RuntimeError("the block rolls back")
    assert OutboundMessage.objects.filter(dedupe_key="alone").exists()
    assert not OutboundMessage.objects.filter(dedupe_key="in-block").exists()


def _message_fields(key: str) -> dict[str, Any]:
    now = clock.now()
    return {
        "channel": "sms",
        "to": "+6281234567890",
        "body": "Hai",
        "dedupe_key": key,
        "created_at": now,
        "next_attempt_at": now,
    }


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_during_a_statement_alone_is_djangos_error(on_postgres: bool) -> None:
    """The connection breaks under a statement sent on its own: Django's OperationalError, as from
    any query (not psycopg's own from putting the connection back out of autocommit)."""
    import psycopg
    from django.conf import settings
    from django.db import OperationalError, connection

    from aduan.core import fastsql

    if not on_postgres:
        pytest.skip("PostgreSQL only")
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = settings.DATABASES["default"]
    with pytest.raises(OperationalError), transaction.atomic():
        with psycopg.connect(
            host=params["HOST"], port=params["PORT"] or 5432, user=params["USER"], dbname=params["NAME"]
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        fastsql.query("SELECT 1", [], alone=True)
    connection.close()
