"""Insert many new rows of one model in one statement, cheaper than QuerySet.bulk_create.

The group commit of the intake API (aduan/intake/groupcommit.py) writes a few dozen rows per
table per transaction, hundreds of times a second. On PostgreSQL `bulk_create` spends most of
its time in Python: every value of every row goes through the field's preparation chain, then
psycopg's client-side binding quotes it into the SQL text (Django's default cursor). Here the
rows go as one `INSERT … VALUES (…), (…) RETURNING id` with server-side binding, each value a
parameter that psycopg's C dumpers send as it is; values of the plain Python types that psycopg
adapts exactly as Django would (str, int, bool, None, datetime, date, Decimal) skip the field
preparation, and so does any str (an enum member of TextChoices) for a CharField or TextField;
anything else (JSON fields whatever their value, lazy strings, …) still goes through the field's
own `get_db_prep_save`. (Typed arrays to `unnest`, as bulk_create does, were measured slower
here: psycopg dumps array elements in Python.) The statement runs through Django's cursor
wrapper, so it is logged and counted like any other query, in the caller's transaction.

With `conflict`, rows that would break a unique constraint are skipped instead of raising (a
tracking number drawn twice, a message already queued): those objects come back as not
inserted, without a primary key, recognised by the value of the unique column `conflict` names.

SQLite (the embedded default) takes the same statement (`ON CONFLICT DO NOTHING` and
`RETURNING` since SQLite 3.35) through Django's own cursor, every value prepared by its field.

Statements run through aduan.core.fastsql: on PostgreSQL prepared on the server, for groups of up
to PREPARE_ROWS rows (one prepared statement per table and row count).

A primary key that is not an auto field (a UUID the caller sets) is inserted like any other column.

`together()` collects the rows of a block and sends them at its end as one statement (PostgreSQL);
`atomic()` is an atomic block written that way, and when it is the outermost block, its
transaction is that one statement, sent in autocommit: no BEGIN, no COMMIT, one round trip.
Inside either, `insert` on PostgreSQL takes the primary keys from the table's sequence at once
(reserved a few hundred at a time per process, `_reserve`), so rows that refer to each other go
in the same statement; its conflicts raise (IntegrityError, at the end of the block).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from django.db import connections, router, transaction
from django.db.models import CharField, Field, Model, TextField
from django.db.models.fields import AutoFieldMixin

from aduan.core import fastsql

# Parameters per statement, at most (PostgreSQL takes 65,535; SQLite's limit is lower, see below).
MAX_PARAMETERS = 30_000
# Statements of up to this many rows are prepared on the server (larger groups are rare).
PREPARE_ROWS = 16
# Primary keys taken from a sequence at once by `_reserve` (a process that stops leaves a gap).
RESERVE = 500
# On PostgreSQL, values of these exact types reach psycopg as they are; psycopg adapts them the way
# Django's field preparation would end up doing (an aware datetime to timestamptz, Decimal to numeric).
_PLAIN = frozenset({str, int, bool, type(None), dt.datetime, dt.date, Decimal})


class Plan(NamedTuple):
    fields: list[Field]  # inserted, in the statement's order
    auto: list[Field]  # with auto_now/auto_now_add
    sql: str  # the INSERT statement, "{rows}" where the rows go
    read: Callable[[Model], tuple[Any, ...]]  # all of an instance's values of `fields` at once
    kinds: tuple[int, ...]  # per field: how its values may skip preparation (_kind)
    any_json: bool


@cache
def _plan(
    model: type[Model], alias: str, conflict: str, returning: bool = True, with_pk: bool = False
) -> Plan:
    """How rows of `model` are inserted (Plan), computed once.

    `conflict` non-empty: ON CONFLICT DO NOTHING; with `returning`, it is the attribute name of the
    unique column read back beside the primary key (`insert`), otherwise any marker (`write`).
    `with_pk`: an auto primary key is inserted too (set by the caller from its sequence)."""
    meta = model._meta
    fields = [
        f for f in meta.concrete_fields if with_pk or not (f.primary_key and isinstance(f, AutoFieldMixin))
    ]
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    connection = connections[alias]
    quote = connection.ops.quote_name
    returned = [quote(meta.pk.column)]
    on_conflict = ""
    if conflict:
        # No conflict target, like bulk_create(ignore_conflicts=True): it also covers partial
        # unique indexes, which a target would have to repeat the condition of.
        on_conflict = " ON CONFLICT DO NOTHING"
        if returning:
            returned.append(quote(next(f.column for f in fields if f.attname == conflict)))
    # Names from the model's _meta, quoted; every value is a parameter.
    tail = f" RETURNING {', '.join(returned)}" if returning else ""
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
        f"{{rows}}{on_conflict}{tail}"
    )
    getter = attrgetter(*(f.attname for f in fields))
    read = getter if len(fields) > 1 else lambda obj: (getter(obj),)
    kinds = tuple(_kind(f) for f in fields)
    return Plan(fields, auto, sql, read, kinds, _JSON in kinds)


@lru_cache(maxsize=512)
def _statement(template: str, width: int, rows: int) -> str:
    row = f"({', '.join(['%s'] * width)})"
    return template.replace("{rows}", ", ".join([row] * rows))


def insert(objs: Sequence[Model], *, conflict: str = "") -> list[bool]:
    """Insert new instances of one model (primary keys not set) and set their primary keys.

    Returns, per object, whether it was inserted; with `conflict` (the attribute name of a
    unique column) an object that would break a unique constraint is skipped (False, no primary
    key); without it, a duplicate raises IntegrityError like `bulk_create`. Call inside a
    transaction. Inside `together()` on PostgreSQL, the primary keys are set at once, the rows
    are written at the end of the block, and a duplicate raises there, `conflict` or not; when
    the block fails, the instances keep keys that were never written (reset them before trying
    again, as intake's Prepared.renew does). Keys drawn ahead are only ever handed out once; a
    table filled with explicit ids past its sequence (then setval) may meet a key drawn before,
    which fails like a duplicate."""
    if not objs:
        return []
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    plan = _plan(model, alias, conflict)
    batch = _batch_size(connection, plan.fields)
    if len(objs) > batch:
        return [
            done
            for start in range(0, len(objs), batch)
            for done in insert(objs[start : start + batch], conflict=conflict)
        ]
    pending = _pending(alias)
    if pending is not None and connection.vendor == "postgresql":
        # Inside together(): the primary keys now (from the sequence, unless the caller sets
        # them), the rows at the end.
        if isinstance(model._meta.pk, AutoFieldMixin):
            for obj, key in zip(objs, _reserve(model, alias, len(objs)), strict=True):
                _saved(obj, key, alias)
        else:
            for obj in objs:
                _saved(obj, obj.pk, alias)
        pending.append((*_values(objs, _plan(model, alias, "", False, with_pk=True), connection), len(objs)))
        return [True] * len(objs)
    sql, params = _values(objs, plan, connection)
    returned = fastsql.query(sql, params, using=alias, prepare=len(objs) <= PREPARE_ROWS)
    if conflict:
        # Matched by value, in order: a value a partial unique index leaves out (an empty
        # dedupe key) may come back more than once.
        ids: dict[Any, list[Any]] = {}
        for pk, value in returned:
            ids.setdefault(value, []).append(pk)
        inserted = []
        for obj in objs:
            same = ids.get(getattr(obj, conflict))
            pk = same.pop(0) if same else None
            if pk is not None:
                _saved(obj, pk, alias)
            inserted.append(pk is not None)
        return inserted
    # Rows come back in the order of VALUES (what bulk_create relies on too).
    for obj, (pk,) in zip(objs, returned, strict=True):
        _saved(obj, pk, alias)
    return [True] * len(objs)


def _batch_size(connection: Any, fields: list[Field]) -> int:
    """Rows per statement, under the database's parameter limit."""
    return max(1, min(MAX_PARAMETERS, connection.features.max_query_params or MAX_PARAMETERS) // len(fields))


def _values(objs: Sequence[Model], plan: Plan, connection: Any) -> tuple[str, list[Any]]:
    """The statement for these rows and its parameters (auto_now fields set first)."""
    for obj in objs:
        for field in plan.auto:
            field.pre_save(obj, add=True)
    params: list[Any] = []
    if connection.vendor != "postgresql":
        for obj in objs:
            for field in plan.fields:
                params.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
        return _statement(plan.sql, len(plan.fields), len(objs)), params
    for obj in objs:
        row = plan.read(obj)
        if not plan.any_json and _PLAIN.issuperset(map(type, row)):
            params.extend(row)
            continue
        for field, kind, value in zip(plan.fields, plan.kinds, row, strict=True):
            if kind == _JSON or (
                type(value) not in _PLAIN and not (kind == _TEXT and isinstance(value, str))
            ):
                value = field.get_db_prep_save(value, connection)
            params.append(value)
    return _statement(plan.sql, len(plan.fields), len(objs)), params


# How a field's values may skip its preparation on PostgreSQL (_kind): plain values; plain values
# and any str (enum members of TextChoices too); none (JSON: a str or a number is a JSON document).
_BASIC, _TEXT, _JSON = 0, 1, 2


def _kind(field: Field) -> int:
    """A CharField or TextField as Django defines them prepares any str, a TextChoices member
    included, into itself; a JSON field always encodes."""
    if field.get_internal_type() == "JSONField":
        return _JSON
    cls = type(field)
    if (
        isinstance(field, (CharField, TextField))
        and cls.to_python in (CharField.to_python, TextField.to_python)
        and cls.get_prep_value in (CharField.get_prep_value, TextField.get_prep_value)
        and cls.get_db_prep_value is Field.get_db_prep_value
        and cls.get_db_prep_save is Field.get_db_prep_save
    ):
        return _TEXT
    return _BASIC


def write(objs: Sequence[Model], *, conflict: bool = False) -> None:
    """Insert new instances of one model without reading anything back: primary keys are not
    set (unless the caller set them), and with `conflict` rows that would break a unique
    constraint are skipped silently. Inside `together()`, the rows wait for the end of it and go
    with the others as one statement. Call inside a transaction."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    plan = _plan(model, alias, "skip" if conflict else "", False)
    batch = _batch_size(connection, plan.fields)
    pending = _pending(alias)
    for start in range(0, len(objs), batch):
        rows = objs[start : start + batch]
        sql, params = _values(rows, plan, connection)
        if pending is not None:
            pending.append((sql, params, len(rows)))
        else:
            fastsql.query(sql, params, using=alias, prepare=len(rows) <= PREPARE_ROWS, fetch=False)


def statement(sql: str, params: Sequence[Any], *, using: str = "default") -> None:
    """A data-modifying statement of our own without result (an UPDATE, `%s` placeholders): inside
    `together()` or `atomic()` it goes at the end with the rows (on PostgreSQL as one more WITH
    query of their statement), otherwise at once."""
    pending = _pending(using)
    if pending is not None:
        pending.append((sql, list(params), 0))
    else:
        fastsql.query(sql, params, using=using, fetch=False)


def collecting(using: str = "default") -> bool:
    """Whether this thread is inside a `together()` or `atomic()` block on `using`."""
    return _pending(using) is not None


_together = threading.local()
Pending = list[tuple[str, list[Any], int]]


def _pending(alias: str) -> Pending | None:
    """The rows waiting for the end of this thread's together() block on `alias`, if any."""
    current = getattr(_together, "pending", None)
    return current[1] if current is not None and current[0] == alias else None


@contextmanager
def together(using: str = "default") -> Iterator[None]:
    """Rows given to `insert` and `write` inside this block are written at its end, all of them in
    one statement on PostgreSQL (each INSERT a data-modifying WITH query of it: one round trip
    instead of one per table; none of them reads what another writes, and foreign keys are
    checked at commit); one by one elsewhere (and `insert` at once). Nothing is written if the
    block raises. Not nested. Call inside a transaction."""
    with _collect(using) as pending:
        yield
    _flush(pending, using, alone=False)


@contextmanager
def atomic(using: str = "default") -> Iterator[None]:
    """transaction.atomic() whose rows are written as `together()` writes them, at its end. As the
    outermost block on PostgreSQL with nothing but these rows to write, its transaction is that
    one statement, sent on its own (no BEGIN, no COMMIT: one round trip for the transaction);
    its on_commit callbacks run when it has committed, as usual. Nothing is written if the
    block raises; a failed statement (a duplicate) raises IntegrityError from the block."""
    with transaction.atomic(using=using), _collect(using) as pending:
        yield
        _flush(pending, using, alone=len(connections[using].atomic_blocks) == 1)


@contextmanager
def _collect(using: str) -> Iterator[Pending]:
    if getattr(_together, "pending", None) is not None:
        raise RuntimeError("bulkinsert.together() is not nested")
    pending: Pending = []
    _together.pending = (using, pending)
    try:
        yield pending
    finally:
        _together.pending = None


def _flush(pending: Pending, using: str, *, alone: bool) -> None:
    if not pending:
        return
    prepare = all(rows <= PREPARE_ROWS for _, _, rows in pending)
    if connections[using].vendor != "postgresql":
        for sql, params, _rows in pending:
            fastsql.query(sql, params, using=using, prepare=prepare, fetch=False)
        return
    if len(pending) == 1:
        sql, params, _rows = pending[0]
        fastsql.query(sql, params, using=using, prepare=prepare, fetch=False, alone=alone)
        return
    *first, (last, last_params, _rows) = pending
    sql = "WITH " + ", ".join(f"w{n} AS ({part})" for n, (part, _, _) in enumerate(first)) + " " + last
    params = [value for _, part_params, _ in first for value in part_params] + last_params
    fastsql.query(sql, params, using=using, prepare=prepare, fetch=False, alone=alone)


# Primary keys reserved per (database alias, table), taken by `insert` inside together().
_reserved: dict[tuple[str, str], list[int]] = {}
_reserve_lock = threading.Lock()


def _reserve(model: type[Model], alias: str, count: int) -> list[int]:
    """`count` new primary keys of `model`'s table from its sequence, RESERVE at a time.

    Drawn on their own (`fastsql.query(alone=True)`): nextval() is not undone by a rollback
    anyway, and the caller's transaction need not begin for it."""
    key = (alias, model._meta.db_table)
    with _reserve_lock:
        free = _reserved.setdefault(key, [])
        if len(free) < count:
            rows = fastsql.query(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, max(RESERVE, count)],
                using=alias,
                alone=True,
            )
            free.extend(pk for (pk,) in rows)
        taken = free[:count]
        del free[:count]
    return taken


def _saved(obj: Model, pk: Any, alias: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias
