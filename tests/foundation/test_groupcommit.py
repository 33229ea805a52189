"""Group commit of submissions (aduan.intake.groupcommit): many reports, one transaction, and
every submission still ends exactly as if it had come alone."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan.directory.ponorogo import ensure_ponorogo_directory
from aduan.intake import groupcommit
from aduan.intake.idempotency import IdempotencyKeyReused
from aduan.intake.models import IdempotencyRecord, Report, Status
from aduan.intake.services import Submitted, submission_prepare
from aduan.notifications.models import OutboundMessage
from aduan.workflow.models import ReportEvent
from tests.factories import CITIZEN, submit


def answer(submitted: Submitted) -> tuple[int, dict[str, Any]]:
    return 201, {"tracking_number": submitted.report.tracking_number, "access_code": submitted.access_code}


def submission(key: str = "", fingerprint: str = "f", **fields: Any) -> groupcommit.Submission:
    data: dict[str, Any] = {
        "kind": "pengaduan",
        "title": "Lampu jalan mati",
        "description": "Lampu jalan di Jl. Sultan Agung mati sejak seminggu.",
        "region": "35.02.17",
        "phone": "081234567890",
    }
    data.update(fields)
    return groupcommit.Submission(
        prepared=submission_prepare(actor=CITIZEN, channel="mobile", **data),
        respond=answer,
        scope="device:test",
        key=key,
        fingerprint=fingerprint,
    )


def inserts_into(queries: CaptureQueriesContext, table: str) -> list[str]:
    """The INSERTs into `table`: statements of their own, or (PostgreSQL, bulkinsert.together)
    WITH queries of one statement."""
    return [
        q["sql"] for q in queries.captured_queries for _ in range(q["sql"].count(f'INSERT INTO "{table}"'))
    ]


def test_a_group_is_one_insert_per_table_and_each_report_is_complete(db: None) -> None:
    group = [submission(key="k1"), submission(key="k2", phone=""), submission(title="Jembatan retak")]
    with CaptureQueriesContext(connection) as queries:
        groupcommit.write_group(group)
    assert all(s.error is None and s.outcome is not None for s in group), [s.error for s in group]
    assert len(inserts_into(queries, "intake_report")) == 1
    assert len(inserts_into(queries, "workflow_reportevent")) == 1
    assert len(inserts_into(queries, "notifications_outboundmessage")) == 1
    assert len(inserts_into(queries, "intake_idempotencyrecord")) == 1
    tail = {"notifications_outboundmessage", "intake_idempotencyrecord"}
    statements = {sql for table in tail for sql in inserts_into(queries, table)}
    # PostgreSQL: the confirmations and the answers in one statement.
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2)
    # No task is queued for the confirmations: the worker claims them from the outbox.
    assert not inserts_into(queries, "django_tasks_database_dbtaskresult")
    numbers = [s.outcome.body["tracking_number"] for s in group if s.outcome]
    assert len(set(numbers)) == 3
    for s in group:
        assert s.outcome is not None and s.outcome.status_code == 201 and not s.outcome.replayed
        report = Report.objects.get(tracking_number=s.outcome.body["tracking_number"])
        assert report.status == Status.BELUM_TERVERIFIKASI and report.due_at is not None
        assert report.channel == "mobile"
        assert report.check_access_code(s.outcome.body["access_code"])
        assert list(ReportEvent.objects.filter(report=report).values_list("action", flat=True)) == ["submit"]
    # Confirmations only where a phone was given, each with its own access code.
    messages = OutboundMessage.objects.filter(template_key="citizen.submitted")
    assert messages.count() == 2
    assert {m.secret for m in messages} == {group[0].prepared.access_code, group[2].prepared.access_code}
    assert set(IdempotencyRecord.objects.values_list("key", flat=True)) == {"k1", "k2"}


def test_known_keys_are_answered_from_their_first_answer(db: None) -> None:
    first = submission(key="same", fingerprint="body-1")
    groupcommit.write_group([first])
    assert first.outcome is not None
    retry, reused, new = (
        submission(key="same", fingerprint="body-1"),
        submission(key="same", fingerprint="another body"),
        submission(key="other"),
    )
    before = dict(groupcommit.stats)
    groupcommit.write_group([retry, reused, new])
    # The new one is still written as a group (after the failed optimistic attempt), not alone.
    assert groupcommit.stats["fallbacks"] == before["fallbacks"]
    assert groupcommit.stats["groups"] == before["groups"] + 1
    assert retry.outcome is not None and retry.outcome.replayed
    assert retry.outcome.body == first.outcome.body
    assert isinstance(reused.error, IdempotencyKeyReused) and reused.outcome is None
    assert new.outcome is not None and not new.outcome.replayed
    assert Report.objects.count() == 2


def test_a_unique_key_failure_falls_back_to_one_transaction_each(db: None) -> None:
    existing = submit().report
    collides = submission()
    collides.prepared.report.tracking_number = existing.tracking_number
    twice = [submission(key="dup"), submission(key="dup")]
    before = dict(groupcommit.stats)
    group = [collides, *twice, submission()]
    groupcommit.write_group(group)
    assert all(s.error is None and s.outcome is not None for s in group), [s.error for s in group]
    assert groupcommit.stats["fallbacks"] == before["fallbacks"] + 1
    # The colliding one got a new number; the same key twice is one report, answered twice.
    assert (
        collides.outcome is not None and collides.outcome.body["tracking_number"] != existing.tracking_number
    )
    assert twice[0].outcome is not None and twice[1].outcome is not None
    assert twice[1].outcome.replayed and twice[1].outcome.body == twice[0].outcome.body
    assert Report.objects.count() == 1 + 3
    # Nothing of the rolled-back attempt stayed behind: one event per report, no orphan rows.
    assert ReportEvent.objects.count() == Report.objects.count()


def test_a_tracking_number_drawn_twice_is_drawn_again_within_the_group(db: None) -> None:
    existing = submit().report
    collides, other = submission(), submission()
    collides.prepared.report.tracking_number = existing.tracking_number
    before = dict(groupcommit.stats)
    groupcommit.write_group([collides, other])
    assert collides.outcome is not None and other.outcome is not None
    assert collides.outcome.body["tracking_number"] != existing.tracking_number
    # Still one group, not each alone: on SQLite the INSERT skipped it and it was drawn again;
    # on PostgreSQL the group's one statement failed and went again with new numbers.
    assert groupcommit.stats["fallbacks"] == before["fallbacks"]
    assert groupcommit.stats["groups"] == before["groups"] + 1
    renumbered = groupcommit.stats["renumbered"] - before["renumbered"]
    assert renumbered == (1 if connection.vendor == "postgresql" else 0)
    assert Report.objects.count() == 3 == ReportEvent.objects.count()


def test_any_other_error_fails_only_its_own_submission(db: None) -> None:
    def broken(submitted: Submitted) -> tuple[int, dict[str, Any]]:
        raise RuntimeError("answer could not be built")

    fine, failing = submission(key="fine"), submission(key="failing")
    failing.respond = broken
    before = dict(groupcommit.stats)
    groupcommit.write_group([fine, failing])
    assert groupcommit.stats["isolated"] == before["isolated"] + 1
    assert fine.error is None and fine.outcome is not None and fine.outcome.status_code == 201
    assert isinstance(failing.error, RuntimeError) and failing.outcome is None
    # Only the good one is stored, with its confirmation and its Idempotency-Key answer.
    assert list(Report.objects.values_list("tracking_number", flat=True)) == [
        fine.outcome.body["tracking_number"]
    ]
    assert OutboundMessage.objects.count() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fine"]


def poisoned_after_prepare(on_postgres: bool) -> list[groupcommit.Submission]:
    """Submissions whose rows the database refuses, built as if submission_prepare had missed
    what is wrong with them (it refuses each of these values itself: tests/api/test_malformed.py)."""
    surrogate = submission()
    surrogate.prepared.report.title = "Lampu \ud800 mati"  # neither database encodes it
    poisoned = [surrogate]
    if on_postgres:  # SQLite stores these
        long_email, nul = submission(), submission()
        assert long_email.prepared.reporter is not None
        long_email.prepared.reporter.email = "a" * 300 + "@example.id"  # varchar(254)
        nul.prepared.report.address = "Jl. \x00 Merdeka"  # PostgreSQL text holds no NUL
        poisoned += [long_email, nul]
    return poisoned


def test_a_group_with_poisoned_rows_fails_only_those(db: None, on_postgres: bool) -> None:
    valid = [submission(key=f"ok-{n}", title=f"Laporan {n}") for n in range(6)]
    poisoned = poisoned_after_prepare(on_postgres)
    group = [valid[0], poisoned[0], *valid[1:4], *poisoned[1:], *valid[4:]]
    before = dict(groupcommit.stats)
    groupcommit.write_group(group)
    assert groupcommit.stats["isolated"] == before["isolated"] + 1
    for s in valid:
        assert s.error is None and s.outcome is not None and s.outcome.status_code == 201, s.error
    assert all(s.error is not None and s.outcome is None for s in poisoned)
    assert set(Report.objects.values_list("tracking_number", flat=True)) == {
        s.outcome.body["tracking_number"] for s in valid if s.outcome
    }
    assert ReportEvent.objects.count() == len(valid)
    assert IdempotencyRecord.objects.count() == len(valid)


@pytest.mark.django_db(transaction=True)
def test_submissions_arriving_during_a_write_form_the_next_group(on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("concurrent writers need PostgreSQL or a file database")
    ensure_ponorogo_directory()  # a transactional test starts from empty tables
    release = threading.Event()
    errors: list[BaseException] = []

    def held(submitted: Submitted) -> tuple[int, dict[str, Any]]:
        # Runs inside the first group's transaction: the writer is busy until released.
        release.wait(timeout=10)
        return answer(submitted)

    first = submission(key="first")
    first.respond = held
    later = [submission(key=f"later-{n}") for n in range(3)]

    def run(s: groupcommit.Submission) -> None:
        try:
            groupcommit.submit(s)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    before = dict(groupcommit.stats)
    threads = [threading.Thread(target=run, args=(first,))]
    threads[0].start()
    deadline = time.monotonic() + 10
    while first in groupcommit._queue or not groupcommit._writing:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    threads += [threading.Thread(target=run, args=(s,)) for s in later]
    for thread in threads[1:]:
        thread.start()
    while len(groupcommit._queue) < len(later):
        assert time.monotonic() < deadline
        time.sleep(0.005)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert all(s.outcome is not None and s.outcome.status_code == 201 for s in [first, *later])
    # Two groups: the first alone, then the three that queued while it was being written.
    assert groupcommit.stats["groups"] - before["groups"] == 2
    assert groupcommit.stats["submissions"] - before["submissions"] == 4
    assert Report.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_api_posts_each_get_their_own_report_and_retries_the_first(on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("concurrent writers need PostgreSQL or a file database")
    from django.test import Client

    ensure_ponorogo_directory()
    body = {
        "kind": "pengaduan",
        "title": "Banjir",
        "description": "Air setinggi lutut.",
        "region": "35.02.17",
    }
    keys = [f"key-{n}" for n in range(8)] + ["key-0", "key-1"]  # two retries racing their first
    barrier = threading.Barrier(len(keys))
    answers: list[tuple[str, int, dict[str, Any]]] = []
    errors: list[BaseException] = []

    def post(key: str) -> None:
        try:
            barrier.wait(timeout=10)
            response = Client().post(
                "/api/v1/reports",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": key, "X-Device-Id": "device-concurrent"},
            )
            answers.append((key, response.status_code, response.json()))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(status for _, status, _ in answers) == [201] * len(keys)
    by_key: dict[str, set[str]] = {}
    for key, _, created in answers:
        by_key.setdefault(key, set()).add(created["tracking_number"])
    assert all(len(numbers) == 1 for numbers in by_key.values()), by_key
    assert Report.objects.count() == 8
    assert set(Report.objects.values_list("tracking_number", flat=True)) == {
        next(iter(numbers)) for numbers in by_key.values()
    }


def test_a_failing_after_commit_hook_does_not_fail_committed_submissions(
    db: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from aduan.workflow import services as workflow_services

    def broken(events: Any) -> None:
        raise RuntimeError("statistics bookkeeping is down")

    monkeypatch.setattr(workflow_services, "after_commit_hooks", [broken])
    group = [submission(key="a"), submission(key="b")]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        groupcommit.write_group(group)
    assert callbacks  # the hook ran, and failed
    assert all(s.error is None and s.outcome is not None for s in group), [s.error for s in group]
    assert Report.objects.count() == 2


def test_a_group_marks_its_day_stale_once_inside_its_own_statement(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The evaluation's staleness bump (a statement hook) joins the group's statement instead of
    a transaction of its own after commit, and runs once."""
    from aduan.core import clock
    from aduan.evaluation.models import CountedDay

    day = CountedDay.objects.create(day=clock.local_today(), version=5, counted_version=5)
    group = [submission(key="s1"), submission(key="s2")]
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        groupcommit.write_group(group)
    assert all(s.outcome is not None for s in group), [s.error for s in group]
    day.refresh_from_db()
    assert day.version == 6  # stale, once for the group
    updates = [q["sql"] for q in queries.captured_queries if "evaluation_countedday" in q["sql"]]
    assert len(updates) == 1
    if connection.vendor == "postgresql":
        assert updates[0].startswith("WITH") and 'INSERT INTO "intake_report"' in updates[0]
