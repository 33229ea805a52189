"""Insert many new rows of one model in one statement, cheaper than QuerySet.bulk_create.

The group commit of the intake API (aduan/intake/groupcommit.py) writes a few dozen rows per
table per transaction, hundreds of times a second. On PostgreSQL `bulk_create` spends most of
its time in Python: every value of every row goes through the field's preparation chain, then
psycopg's client-side binding quotes it into the SQL text (Django's default cursor). Here the
rows go as one `INSERT … VALUES (…), (…) RETURNING id` with server-side binding, each value a
parameter that psycopg's C dumpers send as it is; values of the plain Python types that psycopg
adapts exactly as Django would (str, int, bool, None, datetime, date, Decimal) skip the field
preparation, anything else (enum members, JSON, lazy strings, …) still goes through the field's
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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin

from aduan.core import fastsql

# Parameters per statement, at most (PostgreSQL takes 65,535; SQLite's limit is lower, see below).
MAX_PARAMETERS = 30_000
# Statements of up to this many rows are prepared on the server (larger groups are rare).
PREPARE_ROWS = 16
# On PostgreSQL, values of these exact types reach psycopg as they are; psycopg adapts them the way
# Django's field preparation would end up doing (an aware datetime to timestamptz, Decimal to numeric).
_PLAIN = frozenset({str, int, bool, type(None), dt.datetime, dt.date, Decimal})


@cache
def _plan(model: type[Model], alias: str, conflict: str) -> tuple[list[Field], list[Field], str]:
    """(fields inserted, fields with auto_now/auto_now_add, INSERT statement with "{rows}")."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, AutoFieldMixin))]
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    connection = connections[alias]
    quote = connection.ops.quote_name
    returning = [quote(meta.pk.column)]
    on_conflict = ""
    if conflict:
        # No conflict target, like bulk_create(ignore_conflicts=True): it also covers partial
        # unique indexes, which a target would have to repeat the condition of.
        on_conflict = " ON CONFLICT DO NOTHING"
        returning.append(quote(next(f.column for f in fields if f.attname == conflict)))
    # Names from the model's _meta, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
        "{rows}"
        f"{on_conflict} RETURNING {', '.join(returning)}"
    )
    return fields, auto, sql


@lru_cache(maxsize=512)
def _statement(template: str, width: int, rows: int) -> str:
    row = f"({', '.join(['%s'] * width)})"
    return template.replace("{rows}", ", ".join([row] * rows))


def insert(objs: Sequence[Model], *, conflict: str = "") -> list[bool]:
    """Insert new instances of one model (primary keys not set) and set their primary keys.

    Returns, per object, whether it was inserted; with `conflict` (the attribute name of a
    unique column) an object that would break a unique constraint is skipped (False, no primary
    key); without it, a duplicate raises IntegrityError like `bulk_create`. Call inside a
    transaction."""
    if not objs:
        return []
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields, auto, sql = _plan(model, alias, conflict)
    batch = max(1, min(MAX_PARAMETERS, connection.features.max_query_params or MAX_PARAMETERS) // len(fields))
    if len(objs) > batch:
        return [
            done
            for start in range(0, len(objs), batch)
            for done in insert(objs[start : start + batch], conflict=conflict)
        ]
    for obj in objs:
        for field in auto:
            field.pre_save(obj, add=True)
    plain = _PLAIN if connection.vendor == "postgresql" else frozenset()
    params: list[Any] = []
    for obj in objs:
        for field in fields:
            value = getattr(obj, field.attname)
            if type(value) not in plain:
                value = field.get_db_prep_save(value, connection)
            params.append(value)
    sql = _statement(sql, len(fields), len(objs))
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


def _saved(obj: Model, pk: Any, alias: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias
