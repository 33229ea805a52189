"""Run one SQL statement of our own with as little Python around it as possible.

The group commit of the intake API (aduan/intake/groupcommit.py) runs a handful of fixed
statements per transaction, hundreds of transactions a second; through the ORM each costs more
Python than the database spends on it. `query` takes the statement with `%s` placeholders and
runs it in the caller's transaction:

- on PostgreSQL through psycopg's RawCursor: the `%s` are turned into `$1, $2, …` once per
  statement text (psycopg would otherwise parse a long statement again on every call), values
  travel as parameters (server-side binding), and the statement is prepared on the server
  (`PREPARE` once per connection, then only executed: no parsing and planning per call;
  psycopg prepares at the protocol level, which PgBouncer ≥ 1.21 passes through);
- on SQLite through Django's own cursor.

Errors are Django's (IntegrityError and the rest, as from the ORM). When queries are logged
(DEBUG, tests) or an execute wrapper is installed, the statement goes through Django's cursor
wrapper as well, so it is counted and seen like any other query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg
from django.db import connections
from psycopg.pq import ExecStatus

TUPLES_OK = ExecStatus.TUPLES_OK

# Prepared statements kept per connection (psycopg's default is 100; the group commit's
# multi-row INSERTs take one per table and group size).
PREPARED_MAX = 400


@lru_cache(maxsize=1024)
def dollar(sql: str) -> str:
    """`%s` placeholders as PostgreSQL's `$1, $2, …` (our own statements: no other `%`)."""
    counter = iter(range(1, 1_000_000))
    return re.sub(r"%s", lambda _m: f"${next(counter)}", sql)


def query(
    sql: str,
    params: Sequence[Any],
    *,
    using: str = "default",
    prepare: bool = True,
    fetch: bool = True,
    alone: bool = False,
) -> list[tuple[Any, ...]]:
    """Run `sql` (with `%s` placeholders) in the current transaction of connection `using`; the
    rows it returns ([] for a statement without rows, or with fetch=False). `prepare=False` for
    a statement that is not run again and again (it would only take a place in the cache).

    `alone`: on PostgreSQL, inside an atomic block whose transaction has not begun on the server
    yet (nothing sent since it opened), the statement runs on its own, in autocommit: committed
    when it succeeds, nothing written when it fails, and the block's transaction still to begin
    (its BEGIN and COMMIT not sent if nothing else comes). See `may_run_alone`."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if fetch and cursor.description else []
    connection.ensure_connection()
    pg = connection.connection
    alone = alone and may_run_alone(connection)
    if alone:
        pg.autocommit = True
    try:
        return _run(connection, pg, sql, params, prepare=prepare, fetch=fetch)
    finally:
        if alone and not pg.closed:  # (a connection that broke is Django's to replace)
            pg.autocommit = False


def _run(
    connection: Any,
    pg: psycopg.Connection[Any],
    sql: str,
    params: Sequence[Any],
    *,
    prepare: bool,
    fetch: bool,
) -> list[tuple[Any, ...]]:
    raw = _cursor(connection, pg)
    if connection.queries_logged or connection.execute_wrappers:
        wrap: Any = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
        with wrap(raw) as cursor:
            cursor.execute(dollar(sql), params)
            return cursor.fetchall() if fetch and cursor.description else []
    connection.validate_no_broken_transaction()
    if pg.prepare_threshold is None:
        # Django leaves psycopg's automatic preparing off (None also ignores prepare=True): a
        # threshold never reached keeps it off for every statement but ours.
        pg.prepare_threshold = 2**31 - 1
        pg.prepared_max = PREPARED_MAX
    with connection.wrap_database_errors:
        raw.execute(dollar(sql), params, prepare=prepare)
        # (Not raw.description: it builds a Column object per column.)
        result = raw.pgresult
        return raw.fetchall() if fetch and result is not None and result.status == TUPLES_OK else []


def _cursor(connection: Any, pg: psycopg.Connection[Any]) -> psycopg.RawCursor[Any]:
    """This connection's RawCursor for our statements, kept: its adapter cache (the dumper
    found for each type of value) stays warm from one statement to the next, instead of a
    look-up in Python per type and statement."""
    raw: psycopg.RawCursor[Any] | None = getattr(connection, "_aduan_raw_cursor", None)
    if raw is None or raw.connection is not pg or raw.closed:
        raw = connection._aduan_raw_cursor = psycopg.RawCursor(pg)
    return raw


def may_run_alone(connection: Any) -> bool:
    """Whether a statement can run on its own (`query(alone=True)`): PostgreSQL, in an atomic
    block (Django turned psycopg's autocommit off), and psycopg has not begun the transaction on
    the server (it sends BEGIN with the first statement). nextval() and a whole transaction
    written as one statement (aduan.core.bulkinsert.atomic) need nothing else."""
    pg = connection.connection
    return (
        connection.vendor == "postgresql"
        and pg is not None
        and connection.in_atomic_block
        and not pg.autocommit
        and pg.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    )
