"""Group commit: concurrent submissions in one process are written in one transaction.

Each request validates its report itself (`submission_prepare`, no lock, no transaction), then
hands it over here and waits. The request that finds nobody writing takes everything queued
and writes it as one transaction: one multi-row INSERT per table for reporters, reports,
events, confirmations and the Idempotency-Key answers, and on PostgreSQL
all of them as one statement that is the whole transaction (aduan.core.bulkinsert.atomic:
primary keys drawn ahead from the sequences, statements prepared on the server by
aduan.core.fastsql, no BEGIN and no COMMIT of their own): one round trip and one WAL flush for
the group instead of a dozen statements and a flush per report. Nobody waits for a group to
fill: a submission that arrives when the writer is idle is written at once, alone; under load,
the submissions that arrived while the previous group was being written form the next group.

A request is answered only after the transaction holding its report has committed, so every
201 is durable. Known Idempotency-Keys are not looked up first: a retried key is rare, and its
stored answer makes the group's INSERT fail on the unique (scope, key); then the keys of the
group are looked up, the retries answered from their first answer, and the rest written as a
group again. A tracking number drawn twice is drawn again (on SQLite the INSERT skips it; on
PostgreSQL the group's statement fails and is sent again with new numbers). If a group fails
on another unique key (the same Idempotency-Key twice in the group, or at the same moment in
another process), each submission is written alone, the way a single submission always is. Any
other error of a group (a value the database refuses although submission_prepare checks what the
columns hold, an answer that could not be built) also has each submission written alone, so only
the bad one fails, with its own error; none of the group has been answered before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, connections, router

from aduan.core import bulkinsert, clock, fastsql, rows
from aduan.core.requestlog import current_request_id
from aduan.intake.idempotency import IdempotencyKeyReused, Outcome, clean_key, replay, run_once
from aduan.intake.models import IdempotencyRecord, Report
from aduan.intake.services import Prepared, Submitted, submission_store, submissions_store
from aduan.notifications.services import notify_submitted_many

# What the caller answers for a stored submission: (HTTP status, JSON body), kept for retries.
Respond = Callable[[Submitted], tuple[int, dict[str, object]]]

MAX_GROUP = 64
logger = logging.getLogger(__name__)


def _taken_lock() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass(eq=False)
class Submission:
    prepared: Prepared
    respond: Respond
    scope: str = ""
    key: str = ""  # Idempotency-Key; "" for none
    fingerprint: str = ""
    # The request's id (its log lines'), taken in its own thread: another request's thread may
    # write the group, and the confirmation must record this one's.
    request_id: str = field(default_factory=current_request_id)
    outcome: Outcome | None = None
    error: BaseException | None = None
    done: bool = False
    # Released once: when the submission is done, or when its request is to write the next group
    # (a lock taken at creation, the cheapest one-shot handoff between threads).
    wake: threading.Lock = field(default_factory=_taken_lock)


_queue: list[Submission] = []
_lock = threading.Lock()
# One group at a time per process: with two (one inserting while the other waits for its COMMIT)
# the groups halved and the benchmark lost a quarter of its throughput (bench/intake.py).
_writing = False
# How many groups and submissions this process wrote (read by tests and the benchmark).
stats = {"groups": 0, "submissions": 0, "fallbacks": 0, "renumbered": 0, "isolated": 0}


def submit(submission: Submission) -> Outcome:
    """Write one prepared submission, together with whatever else is queued; returns its answer
    (the first answer again for a known Idempotency-Key) once it has committed.

    The request that finds no group being written writes one; the others wait, each woken once:
    with its answer, or, for the oldest one queued when a group is done, to write the next
    group (which holds its own submission first). Nobody else is woken in between."""
    global _writing
    submission.key = clean_key(submission.key)  # refused here, in its own request, if too long
    with _lock:
        _queue.append(submission)
        lead = not _writing
        _writing = True
    if not lead:
        submission.wake.acquire()
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
                other.wake.release()
            if successor is not None:
                successor.wake.release()
    if submission.error is not None:
        raise submission.error
    assert submission.outcome is not None
    return submission.outcome


def write_group(group: list[Submission]) -> None:
    """Write these submissions as one group (what `submit` does with what is queued); each ends
    with its outcome or its error."""
    try:
        # Optimistically: a retried Idempotency-Key is rare, and its answer row makes the group's
        # statement fail (unique scope and key), which costs less than looking every key up first.
        fresh = group
        for attempt in range(2):
            try:
                _store_renumbering(fresh)
                with _lock:
                    stats["groups"] += 1
                    stats["submissions"] += len(fresh)
                break
            except IntegrityError:
                if attempt == 0:
                    # Answer the keys that have an answer; the rest as a group again.
                    fresh = _answer_known_keys(fresh)
                    if not fresh:
                        break
                    for submission in fresh:
                        submission.prepared.renew()
                    continue
                # Another unique key (the same key twice in the group, or just now in another
                # process): each alone, as if it had come alone.
                with _lock:
                    stats["fallbacks"] += 1
                for submission in fresh:
                    _store_alone(submission)
            except Exception:
                if len(fresh) == 1:
                    raise  # its own error
                # Anything else (a value the database refused that submission_prepare let
                # through, an answer that could not be built): one bad submission must not fail
                # the others, so each goes again alone and only the bad one keeps its error.
                logger.warning(
                    "a group of %d submissions failed; each is written alone", len(fresh), exc_info=True
                )
                with _lock:
                    stats["isolated"] += 1
                for submission in fresh:
                    _store_alone(submission)
                break
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
        pairs = sorted({(s.scope, s.key) for s in keyed})
        # Each (scope, key) pair as such, so that PostgreSQL looks every one up in the unique
        # index on both columns, whatever it believes about how many keys a scope has (with
        # `scope IN (…) AND key IN (…)` it read all of a scope's keys when its statistics were old).
        found = fastsql.query(
            f"SELECT scope, key, fingerprint, status_code, response FROM {meta.db_table} "  # noqa: S608 - a model's table name
            f"WHERE (scope, key) IN ({', '.join(['(%s, %s)'] * len(pairs))})",
            [value for pair in pairs for value in pair],
            using=alias,
        )
        for scope, key, fp, status_code, body in found:
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
    # The reporters, reports, events, confirmations and the answers: one
    # statement, which is the whole transaction on PostgreSQL.
    with bulkinsert.atomic(router.db_for_write(IdempotencyRecord)):
        stored = submissions_store([s.prepared for s in fresh])
        answers = [s.respond(done) for s, done in zip(fresh, stored, strict=True)]
        notify_submitted_many(
            ((s.report, s.access_code) for s in stored), request_ids=[s.request_id for s in fresh]
        )
        bulkinsert.write(
            [
                rows.build(
                    IdempotencyRecord,
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


def _store_renumbering(fresh: list[Submission]) -> None:
    """`_store`; on PostgreSQL, where the group is one statement, a tracking number already taken
    fails all of it: the group is written again with new numbers (twice at most, then the
    IntegrityError goes to the caller)."""
    for attempt in range(3):
        try:
            _store(fresh)
            return
        except IntegrityError as exc:
            if attempt == 2 or not _tracking_number_taken(exc):
                raise
            with _lock:
                stats["renumbered"] += 1
            for submission in fresh:
                submission.prepared.renew(renumber=True)


def _tracking_number_taken(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return (
        diag is not None
        and diag.table_name == Report._meta.db_table
        and "(tracking_number)" in (diag.message_detail or "")
    )


def _store_alone(submission: Submission) -> None:
    """One submission in its own transaction, as if it had come alone."""
    submission.prepared.renew()

    def produce() -> tuple[int, dict[str, object]]:
        done = submission_store(submission.prepared)
        notify_submitted_many([(done.report, done.access_code)], request_ids=[submission.request_id])
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
