"""A fresh database for a test that runs `aduan` as separate processes, as an operator would."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fresh_database(suffix: str) -> Iterator[str | None]:
    """A new, empty PostgreSQL database named after the run's with `suffix` on a PostgreSQL run
    (dropped afterwards); None on SQLite, where each installation keeps its own file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None
        return
    import psycopg

    base, _, name = url.rpartition("/")
    db = f"{name}_{suffix}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
        conn.execute(f'CREATE DATABASE "{db}"')
    try:
        yield f"{base}/{db}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
