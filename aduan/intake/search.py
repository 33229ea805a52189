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

from django.db import connection
from django.db.models import Q
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
        query = SearchQuery(" & ".join(words), search_type="raw", config="simple")
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
