"""Fixtures for the channel tests: a webhook secret, signed requests, Gammu databases built from
Gammu's own shipped schema files (SQLite, and PostgreSQL in a scratch schema)."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from aduan.channels.gammu import GammuDB
from aduan.channels.signing import sign

GAMMU_SCHEMAS = Path("/usr/share/doc/gammu-smsd/examples")
SECRET = "rahasia-gateway-uji"


@pytest.fixture
def webhook_secret(settings: Any) -> str:
    settings.ADUAN_SMS_WEBHOOK_SECRET = SECRET
    return SECRET


def signed_post(
    client: Client,
    payload: Any,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    extra = {"X-Aduan-Timestamp": ts, "X-Aduan-Signature": sign(secret, ts, body)}
    if headers is not None:
        extra = headers
    return client.post("/sms/inbound", data=body, content_type="application/json", headers=extra)


@pytest.fixture
def gammu_sqlite(tmp_path: Path) -> Iterator[tuple[str, GammuDB]]:
    """A Gammu SMSD SQLite database created with Gammu's shipped sqlite.sql, as gammu-smsd expects."""
    schema = GAMMU_SCHEMAS / "sqlite.sql"
    if not schema.exists():
        pytest.skip("gammu-smsd is not installed (no /usr/share/doc/gammu-smsd/examples/sqlite.sql)")
    path = tmp_path / "smsd.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(schema.read_text())
    url = f"sqlite:///{path}"  # dj-database-url style: sqlite:/// + absolute path (leading slash kept)
    db = GammuDB(url)
    yield url, db
    db.close()


def _postgres_admin_url() -> str:
    return os.environ.get("ADUAN_TEST_GAMMU_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def gammu_postgres() -> Iterator[tuple[str, GammuDB]]:
    """Gammu's shipped pgsql.sql in a scratch schema of a PostgreSQL server (dropped afterwards)."""
    psycopg = pytest.importorskip("psycopg")
    schema_file = GAMMU_SCHEMAS / "pgsql.sql"
    if not schema_file.exists():
        pytest.skip("gammu-smsd is not installed (no pgsql.sql)")
    admin_url = _postgres_admin_url()
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server for the Gammu schema test: {exc}")
    schema = f"gammu_test_{secrets.token_hex(4)}"
    # `CREATE LANGUAGE plpgsql` fails on every PostgreSQL since 9.0, where plpgsql is built in;
    # everything else in Gammu's file is run as shipped.
    script = schema_file.read_text().replace("CREATE LANGUAGE plpgsql;", "")
    admin.execute(f'CREATE SCHEMA "{schema}"')
    admin.execute(f'SET search_path TO "{schema}"')
    admin.execute(script)
    url = f"{admin_url}?options=-csearch_path%3D{schema}"
    db = GammuDB(url)
    try:
        yield url, db
    finally:
        db.close()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def gammu_db(request: pytest.FixtureRequest) -> tuple[str, GammuDB]:
    return request.getfixturevalue("gammu_sqlite" if request.param == "sqlite" else "gammu_postgres")
