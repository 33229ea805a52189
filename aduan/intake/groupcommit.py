"""Group commit: concurrent submissions in one process are written in one transaction.

Each request validates its report itself (`submission_prepare`, no lock, no transaction), then
hands it over here and waits. The request that finds nobody writing takes everything queued
and writes it as one transaction: one look-up of known Idempotency-Keys, one multi-row INSERT
per table for reporters, reports and events, one statement for the confirmations, their
delivery task and the Idempotency-Key answers (aduan.core.bulkinsert, statements prepared on
the server by aduan.core.fastsql), and one COMMIT, that is one WAL flush, for the group instead
of a dozen statements and a flush per report. Nobody waits for a group
to fill: a submission that arrives when the writer is idle is written at once, alone; under
load, the submissions that arrived while the previous group was being written form the next
group.

A request is answered only after the transaction holding its report has committed, so every
201 is durable. A tracking number drawn twice is skipped by its INSERT and drawn again within
the group. If a group fails on another unique key (an Idempotency-Key retried in another
process at the same moment), it is rolled back and each submission is written alone, the way a
single submission always is; any other error is raised to every request of the group, none of
which has been answered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, connections, router, transaction

from aduan.core import bulkinsert, clock, fastsql
from aduan.intake.idempotency import IdempotencyKeyReused, Outcome, replay, run_once
from aduan.intake.models import IdempotencyRecord
from aduan.intake.services import Prepared, Submitted, submission_store, submissions_store
from aduan.notifications.services import notify_submitted_many

# What the caller answers for a stored submission: (HTTP status, JSON body), kept for retries.
Respond = Callable[[Submitted], tuple[int, dict[str, object]]]

MAX_GROUP = 64


@dataclass(eq=False)
class Submission:
    prepared: Prepared
    respond: Respond
    scope: str = ""
    key: str = ""  # Idempotency-Key; "" for none
    fingerprint: str = ""
    outcome: Outcome | None = None
    error: BaseException | None = None
    done: bool = False
    # Set once: when the submission is done, or when its request is to write the next group.
    wake: threading.Event = field(default_factory=threading.Event)


_queue: list[Submission] = []
_lock = threading.Lock()
# One group at a time per process: with two (one inserting while the other waits for its COMMIT)
# the groups halved and the benchmark lost a quarter of its throughput (bench/intake.py).
_writing = False
# How many groups and submissions this process wrote (read by tests and the benchmark).
stats = {"groups": 0, "submissions": 0, "fallbacks": 0}


def submit(submission: Submission) -> Outcome:
    """Write one prepared submission, together with whatever else is queued; returns its answer
    (the first answer again for a known Idempotency-Key) once it has committed.

    The request that finds no group being written writes one; the others wait, each woken once:
    with its answer, or, for the oldest one queued when a group is done, to write the next
    group (which holds its own submission first). Nobody else is woken in between."""
    global _writing
    submission.key = submission.key.strip()[:128]
    with _lock:
        _queue.append(submission)
        lead = not _writing
        _writing = True
    if not lead:
        submission.wake.wait()
    if not submission.done:
        with _lock:
            group = _queue[:MAX_GROUP]
            del _queue[:MAX_GROUP]
        try:
            write_group(group)
        finally:
            with _lock:
                successor = _queue[0] if _queue else None
                _writing = successor is not None
            for other in group:
                other.wake.set()
            if successor is not None:
                successor.wake.set()
    if submission.error is not None:
        raise submission.error
    assert submission.outcome is not None
    return submission.outcome


def write_group(group: list[Submission]) -> None:
    """Write these submissions as one group (what `submit` does with what is queued); each ends
    with its outcome or its error."""
    try:
        fresh = _answer_known_keys(group)
        if fresh:
            try:
                _store(fresh)
                with _lock:
                    stats["groups"] += 1
                    stats["submissions"] += len(fresh)
            except IntegrityError:
                with _lock:
                    stats["fallbacks"] += 1
                for submission in fresh:
                    _store_alone(submission)
    except BaseException as exc:  # noqa: BLE001 - every waiter must learn the group failed
        for submission in group:
            if submission.outcome is None and submission.error is None:
                submission.error = exc
    finally:
        for submission in group:
            submission.done = True


def _answer_known_keys(group: list[Submission]) -> list[Submission]:
    """Answer retries of keys that already have an answer (one query for the group); the rest."""
    keyed = [s for s in group if s.key]
    known: dict[tuple[str, str], IdempotencyRecord] = {}
    if keyed:
        meta = IdempotencyRecord._meta
        response = meta.get_field("response")
        alias = router.db_for_read(IdempotencyRecord)
        scopes, keys = sorted({s.scope for s in keyed}), sorted({s.key for s in keyed})
        # Both columns of the unique index (scope, key), so PostgreSQL looks the keys up in it
        # instead of reading the table; the pairs that were not asked for are ignored below.
        rows = fastsql.query(
            f"SELECT scope, key, fingerprint, status_code, response FROM {meta.db_table} "  # noqa: S608 - a model's table name
            f"WHERE scope IN ({', '.join(['%s'] * len(scopes))}) AND key IN ({', '.join(['%s'] * len(keys))})",
            [*scopes, *keys],
            using=alias,
        )
        for scope, key, fp, status_code, body in rows:
            known[(scope, key)] = IdempotencyRecord(
                scope=scope,
                key=key,
                fingerprint=fp,
                status_code=status_code,
                response=response.from_db_value(body, None, connections[alias]),  # type: ignore[arg-type]
            )
    fresh = []
    for submission in group:
        record = known.get((submission.scope, submission.key)) if submission.key else None
        if record is None:
            fresh.append(submission)
            continue
        try:
            submission.outcome = replay(record, submission.fingerprint)
        except IdempotencyKeyReused as exc:
            submission.error = exc
    return fresh


def _store(fresh: list[Submission]) -> None:
    now = clock.now()
    with transaction.atomic():
        stored = submissions_store([s.prepared for s in fresh])
        answers = [s.respond(done) for s, done in zip(fresh, stored, strict=True)]
        # The confirmations, their delivery task and the answers: one statement (PostgreSQL).
        with bulkinsert.together(router.db_for_write(IdempotencyRecord)):
            notify_submitted_many((s.report, s.access_code) for s in stored)
            bulkinsert.write(
                [
                    IdempotencyRecord(
                        scope=s.scope,
                        key=s.key,
                        fingerprint=s.fingerprint,
                        status_code=status,
                        response=body,
                        created_at=now,
                    )
                    for s, (status, body) in zip(fresh, answers, strict=True)
                    if s.key
                ]
            )
    for submission, (status, body) in zip(fresh, answers, strict=True):
        submission.outcome = Outcome(status, body, replayed=False)


def _store_alone(submission: Submission) -> None:
    """One submission in its own transaction, as if it had come alone."""
    submission.prepared.renew()

    def produce() -> tuple[int, dict[str, object]]:
        done = submission_store(submission.prepared)
        notify_submitted_many([(done.report, done.access_code)])
        return submission.respond(done)

    try:
        submission.outcome = run_once(
            scope=submission.scope,
            key=submission.key,
            request_fingerprint=submission.fingerprint,
            produce=produce,
        )
    except Exception as exc:  # noqa: BLE001 - this submission's own error, raised in its request
        submission.error = exc
