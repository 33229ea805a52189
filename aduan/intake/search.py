"""Search over reports: a stemmed shadow of their text (SQLite has no Indonesian stemmer), indexed
for full-text search on both engines.

`search_text` holds the title and text stemmed with PySastrawi (perbaikan → baik). PostgreSQL
indexes it with a GIN index over `to_tsvector('simple', search_text)` ('simple': the text is
already stemmed and lower-cased; the Snowball 'indonesian' configuration would stem it twice),
SQLite with an FTS5 table kept by triggers. A substring match (`icontains`) read every row: 284 ms
for the count alone at 1M reports (issue 16); a word in the index costs the rows that hold it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

_WORD = re.compile(r"[a-z0-9]+")

# The indexed expression, exactly as the GIN index of intake migration 0013 writes it: PostgreSQL
# uses the index only for this same expression.
PG_INDEX = "report_search_text_fts"
PG_VECTOR_SQL = "to_tsvector('simple'::regconfig, COALESCE(search_text, ''))"
SQLITE_FTS = "intake_report_fts"
# An FTS5 table over intake_report's search_text (external content: no second copy of the text)
# and the triggers that keep it current on every insert, change and delete.
SQLITE_FTS_SQL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS intake_report_fts USING fts5("
    "search_text, content='intake_report', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS intake_report_fts_insert AFTER INSERT ON intake_report BEGIN "
    "INSERT INTO intake_report_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS intake_report_fts_delete AFTER DELETE ON intake_report BEGIN "
    "INSERT INTO intake_report_fts(intake_report_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS intake_report_fts_update AFTER UPDATE OF search_text ON intake_report BEGIN "
    "INSERT INTO intake_report_fts(intake_report_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO intake_report_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO intake_report_fts(intake_report_fts) VALUES ('rebuild')",
]
SQLITE_FTS_OBJECTS = {
    SQLITE_FTS,
    "intake_report_fts_insert",
    "intake_report_fts_delete",
    "intake_report_fts_update",
}
MAX_WORDS = 10


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=50_000)
def _stem_word(word: str) -> str:
    """The stem of a word of more than three letters; a short word or a number as it is."""
    if len(word) <= 3 or word.isdigit():
        return word
    return str(_stemmer().stem(word))


def stem_for_search(text: str) -> str:
    """Lower-cased, stemmed words (perbaikan → baik), each once, in first-seen order."""
    return " ".join(dict.fromkeys(map(_stem_word, _WORD.findall(text.lower()[:20_000]))))


def search_words(query: str) -> list[str]:
    """The stemmed words of a query, at most MAX_WORDS (each only [a-z0-9]: safe in a query)."""
    return stem_for_search(query).split()[:MAX_WORDS]


def text_search_q(*, words: list[str]) -> Q:
    """Reports whose text holds every word (stemmed as the text is: "diperbaiki" finds
    "perbaikan"), through the engine's full-text index.

    Whole words, not their starts: a prefix (`jalan:*`) makes PostgreSQL collect every matching
    entry of the GIN index before it can stop (218 ms against 55 ms for "jalan" at 1M reports)."""
    if not words:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact

        vector = SearchVector("search_text", config="simple")
        query = SearchQuery(_tsquery(words), search_type="raw", config="simple")
        return Q(SearchVectorExact(vector, query))
    if connection.vendor == "sqlite":
        match = " AND ".join(f'"{w}"' for w in words)
        return Q(
            pk__in=RawSQL("SELECT rowid FROM intake_report_fts WHERE intake_report_fts MATCH %s", [match])
        )
    # Another engine has neither index: the substring match, correct if slow.
    text = Q()
    for word in words:
        text &= Q(search_text__icontains=word)
    return text


def ensure_sqlite_fts(using: Any) -> None:
    """Create the FTS5 table and its triggers where missing, and fill it if they were.

    After each migrate, not only in the migration: on SQLite Django alters a table by copying it
    into a new one, which drops the triggers; re-created, the index is rebuilt from the table."""
    if using.vendor != "sqlite":
        return
    with using.cursor() as cursor:
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master").fetchall()}
        if "intake_report" not in tables:
            return
        if SQLITE_FTS_OBJECTS <= tables:
            return
        for statement in SQLITE_FTS_SQL:  # the last fills the index from the table
            cursor.execute(statement)


# --- which reports a search lists, on PostgreSQL (issue 16) ------------------------------------
#
# A word in one report in five is found by walking the queue's order until a page is full; a word
# in five reports of ten million only through the GIN index. PostgreSQL picks between the two by
# its estimate, which is wrong both ways: a word it has no statistics for counts as one report in
# 200, so for "langka" (5 reports) it walked all 10M in the queue's order (45 s), and two common
# words it takes as independent, so for "sampah jalan" (never together) it read every report
# (24 s). So the search first looks at what it would walk: among the scope's first PROBE_ROWS
# reports, are there more matches than the page shows? Then the walk is short and the planner's.
# If not, the matches are few: found through the GIN index alone, the newest SPARSE_MAX of them,
# and the page lists those of its scope in the queue's order.
PROBE_ROWS = 5_000
SPARSE_MAX = 10_000
_BITMAP_ONLY = {
    "enable_seqscan": "off",
    "enable_indexscan": "off",
    "enable_indexonlyscan": "off",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
}


# The GIN index's condition as raw SQL, the words (_tsquery) its one parameter.
_PG_MATCH_SQL = f"{PG_VECTOR_SQL} @@ to_tsquery('simple'::regconfig, %s)"


def _tsquery(words: list[str]) -> str:
    return " & ".join(words)


def text_search(
    listed: QuerySet[Any],
    counted: QuerySet[Any],
    words: list[str],
    cap: int,
    *,
    listed_max: int | None = None,
) -> tuple[QuerySet[Any], QuerySet[Any] | int]:
    """`listed` (a queue, in its order) and `counted` (the same reports in the form cheapest to
    count) narrowed to the reports whose text holds every word, for a page of at most `cap` (a
    list of at most `listed_max`). The count's form comes back as a number where it is known.

    On PostgreSQL the words decide the way (see above): common ones are left to the planner's
    walk in order, and counted "more than `cap`" by the look that found them common; rare ones
    are found through the GIN index alone and listed by key."""
    if words and connections[listed.db].vendor == "postgresql":
        if _pg_words_are_common(counted, words, cap):
            return listed.filter(text_search_q(words=words)), cap + 1
        found = _pg_matching_ids(listed, words, listed_max or cap)
        return listed.filter(pk__in=found), len(found)
    text = text_search_q(words=words)
    return listed.filter(text), counted.filter(text)


def _pg_words_are_common(scope: QuerySet[Any], words: list[str], cap: int) -> bool:
    """Whether more than `cap` of the first PROBE_ROWS reports of `scope` (unordered: its cheapest
    plan) hold every word. Reads at most PROBE_ROWS rows, and stops at the cap + 1st match."""
    inner, params = scope.order_by().values("pk", "search_text")[:PROBE_ROWS].query.sql_with_params()
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM ({inner}) AS probe "  # noqa: S608 - Django's SQL, constants
        f"WHERE {_PG_MATCH_SQL} LIMIT %s) AS hits"
    )
    with connections[scope.db].cursor() as cursor:
        cursor.execute(sql, [*params, _tsquery(words), cap + 1])
        return int(cursor.fetchone()[0]) > cap


def _pg_matching_ids(ordered: QuerySet[Any], words: list[str], cap: int) -> list[int]:
    """The ids of the first cap + 1 reports of `ordered` (a queue, in its order) that hold every
    word, among the newest SPARSE_MAX reports that do: for words found rare by
    _pg_words_are_common. Through the GIN index only, whatever the planner estimates."""
    db = ordered.db
    with transaction.atomic(using=db), connections[db].cursor() as cursor:
        # A bitmap scan of the index, the one plan left: no walk of the table in any order. The
        # others priced out, its cost looks high enough for parallel workers and JIT compiling,
        # 30–50 ms of start-up for a few rows: off too. Set for the transaction, they would
        # outlive a savepoint released into an enclosing one: reset after the query (an error
        # rolls the savepoint back, and the settings with it).
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in _BITMAP_ONLY),
            [part for item in _BITMAP_ONLY.items() for part in item],
        )
        cursor.execute(
            f"SELECT id FROM intake_report WHERE {_PG_MATCH_SQL} ORDER BY id DESC LIMIT %s",  # noqa: S608
            [_tsquery(words), SPARSE_MAX],
        )
        found = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name = ANY(%s)",
            [list(_BITMAP_ONLY)],
        )
    if not found:
        return []
    # Those of the queue's scope, in its order. Materialized: PostgreSQL starts from the found
    # ids (probing the table by key) and sorts them, instead of walking the queue's index in
    # order to meet them (all of an OPD's reports when few of the found are its own).
    keys = [key for key in ordered.query.order_by if isinstance(key, str)]
    if len(keys) != len(ordered.query.order_by):
        raise ValueError("_pg_matching_ids: the queue's order must be field or annotation names")
    columns = [key.lstrip("-") for key in keys]
    inner, params = (
        ordered.order_by()
        .filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [found]))
        .values("pk", *columns)
        .query.sql_with_params()
    )
    quote = connections[db].ops.quote_name
    order = ", ".join(
        f"{quote(c)} {'DESC' if k.startswith('-') else 'ASC'}" for k, c in zip(keys, columns, strict=True)
    )
    with connections[db].cursor() as cursor:
        cursor.execute(
            f"WITH found AS MATERIALIZED ({inner}) SELECT pk FROM found ORDER BY {order}, pk LIMIT %s",  # noqa: S608
            [*params, cap + 1],
        )
        return [row[0] for row in cursor.fetchall()]
