"""Gammu SMS Daemon, through its own SQL database (Gammu is GPL-2.0: we share tables, not code).

gammu-smsd stores received SMS in `inbox` and sends what it finds in `outbox` (+ `outbox_multipart`
for the further parts of a long text). The tables are Gammu's shipped schema
(/usr/share/doc/gammu-smsd/examples/{sqlite,pgsql}.sql); we talk to them with a plain DB-API
connection (sqlite3 or psycopg), not a Django database alias, because Aduan's migrations and test
databases must never touch them. Column names are quoted: the PostgreSQL schema is case-sensitive.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import dj_database_url

from aduan.channels import conf

logger = logging.getLogger(__name__)


class GammuError(Exception):
    """The Gammu database is not configured or cannot be reached."""


class GammuDB:
    """A connection to Gammu's database; `%s` placeholders on both SQLite and PostgreSQL."""

    def __init__(self, url: str) -> None:
        if not url:
            raise GammuError("ADUAN_GAMMU_DATABASE_URL is not set")
        self.url = url
        if url.startswith("sqlite:"):
            path = dj_database_url.parse(url)["NAME"]
            self.vendor = "sqlite"
            # Autocommit mode; transactions are opened explicitly (BEGIN IMMEDIATE) so the
            # daemon, writing to the same file, waits for us instead of failing half-way.
            # mode=rw: never create an empty database by mistake (sqlite:///x is the relative
            # path "x"; an absolute path takes four slashes, sqlite:////var/lib/gammu/smsd.db).
            try:
                self.conn: Any = sqlite3.connect(
                    f"file:{quote(str(path))}?mode=rw", uri=True, timeout=15, isolation_level=None
                )
            except sqlite3.OperationalError as exc:
                raise GammuError(
                    f"cannot open Gammu's SQLite database {path!r} ({exc}); an absolute path is "
                    "written with four slashes: sqlite:////var/lib/gammu/smsd.db"
                ) from exc
        elif url.startswith(("postgres://", "postgresql://")):
            import psycopg

            self.vendor = "postgresql"
            # Autocommit: `transaction()` then opens real BEGIN/COMMIT blocks, not savepoints.
            self.conn = psycopg.connect(url, connect_timeout=10, autocommit=True)
        else:
            raise GammuError("ADUAN_GAMMU_DATABASE_URL must start with sqlite:// or postgres://")

    def close(self) -> None:
        self.conn.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        cursor = self.conn.cursor()
        cursor.execute(sql, tuple(params))
        return cursor

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.vendor == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        else:
            with self.conn.transaction():
                yield


def connect(url: str | None = None) -> GammuDB:
    return GammuDB(url if url is not None else conf.gammu_database_url())


# --- outgoing ---------------------------------------------------------------------------------

# GSM 03.38: characters a plain 7-bit SMS can carry; the extension table costs two septets each.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = "^{}\\[~]|€\f"
_GSM_BASIC_SET = frozenset(GSM_BASIC)
_GSM_EXTENDED_SET = frozenset(GSM_EXTENDED)


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM_BASIC_SET or ch in _GSM_EXTENDED_SET for ch in text)


def _cost(ch: str, gsm: bool) -> int:
    if gsm:
        return 2 if ch in _GSM_EXTENDED_SET else 1
    return len(ch.encode("utf-16-le")) // 2


def split_sms(text: str) -> tuple[str, list[str]]:
    """(Gammu coding, parts): one part up to 160 septets / 70 UCS-2 units, else parts of 153 / 67
    (the concatenation header takes the rest). Never splits an escape pair or a surrogate pair."""
    gsm = is_gsm7(text)
    coding = "Default_No_Compression" if gsm else "Unicode_No_Compression"
    single, per_part = (160, 153) if gsm else (70, 67)
    if sum(_cost(ch, gsm) for ch in text) <= single:
        return coding, [text]
    parts: list[str] = []
    current, used = "", 0
    for ch in text:
        cost = _cost(ch, gsm)
        if used + cost > per_part:
            parts.append(current)
            current, used = "", 0
        current += ch
        used += cost
    if current:
        parts.append(current)
    return coding, parts


def queue_sms(db: GammuDB, number: str, text: str) -> int:
    """Put one SMS (split into parts if long) into Gammu's outbox; returns the outbox ID.
    Call inside `db.transaction()` so the parts appear together."""
    coding, parts = split_sms(text)
    creator = conf.gammu_creator_id()
    if len(parts) == 1:
        row = db.execute(
            'INSERT INTO outbox ("DestinationNumber", "TextDecoded", "CreatorID", "Coding") '
            'VALUES (%s, %s, %s, %s) RETURNING "ID"',
            (number, parts[0], creator, coding),
        ).fetchone()
        return int(row[0])
    if len(parts) > 255:
        raise ValueError("text too long for one concatenated SMS")
    reference = secrets.randbelow(256)
    total = len(parts)

    def udh(seq: int) -> str:
        # IEI 00 (concatenated SMS, 8-bit reference): 05 00 03 <ref> <total> <seq>
        return f"050003{reference:02X}{total:02X}{seq:02X}"

    row = db.execute(
        'INSERT INTO outbox ("DestinationNumber", "TextDecoded", "CreatorID", "Coding", "UDH", "MultiPart") '
        "VALUES (%s, %s, %s, %s, %s, 'true') RETURNING \"ID\"",
        (number, parts[0], creator, coding, udh(1)),
    ).fetchone()
    outbox_id = int(row[0])
    for seq, part in enumerate(parts[1:], start=2):
        db.execute(
            'INSERT INTO outbox_multipart ("ID", "SequencePosition", "TextDecoded", "Coding", "UDH") '
            "VALUES (%s, %s, %s, %s, %s)",
            (outbox_id, seq, part, coding, udh(seq)),
        )
    return outbox_id


# --- incoming ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    id: int
    sender: str
    text: str
    coding: str
    udh: str
    received: str
    old: bool


@dataclass(frozen=True)
class Concat:
    reference: int
    total: int
    seq: int


def parse_udh(udh_hex: str) -> Concat | None:
    """The concatenation element of a UDH (IEI 00: 8-bit reference, IEI 08: 16-bit), if any."""
    try:
        data = bytes.fromhex((udh_hex or "").strip())
    except ValueError:
        return None
    if len(data) < 2:
        return None
    end = min(len(data), 1 + data[0])
    i = 1
    while i + 1 < end:
        iei, length = data[i], data[i + 1]
        value = data[i + 2 : i + 2 + length]
        if iei == 0x00 and length == 3 and len(value) == 3:
            return Concat(reference=value[0], total=value[1], seq=value[2])
        if iei == 0x08 and length == 4 and len(value) == 4:
            return Concat(reference=value[0] << 8 | value[1], total=value[2], seq=value[3])
        i += 2 + length
    return None


@dataclass
class Group:
    """The rows of one message: one row, or the parts of a concatenated SMS."""

    rows: list[InboxRow]
    concat_total: int = 1
    parts: dict[int, InboxRow] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.concat_total <= 1 or set(self.parts) >= set(range(1, self.concat_total + 1))

    @property
    def text(self) -> str:
        if self.concat_total <= 1:
            return self.rows[0].text
        joined = ""
        for seq in range(1, self.concat_total + 1):
            part = self.parts.get(seq)
            # A part that never came is marked, so staff can see text is missing there.
            joined += part.text if part is not None else " [...] "
        return joined

    @property
    def first(self) -> InboxRow:
        return min(self.rows, key=lambda r: r.id)


def group_rows(rows: list[InboxRow]) -> list[Group]:
    groups: dict[tuple[Any, ...], Group] = {}
    order: list[tuple[Any, ...]] = []
    for row in rows:
        concat = parse_udh(row.udh)
        if concat is None or concat.total <= 1:
            key: tuple[Any, ...] = ("single", row.id)
            groups[key] = Group(rows=[row])
            order.append(key)
            continue
        key = ("multi", row.sender, concat.reference, concat.total)
        group = groups.get(key)
        if group is None or concat.seq in group.parts:
            if group is not None:  # the reference was reused: a new message with the same header
                key = (*key, row.id)
            group = Group(rows=[], concat_total=concat.total)
            groups[key] = group
            order.append(key)
        group.rows.append(row)
        group.parts[concat.seq] = row
    return [groups[key] for key in order]


@dataclass
class PollStats:
    messages: int = 0
    rows: int = 0
    replies: int = 0
    waiting: int = 0
    skipped: int = 0


def _unprocessed(db: GammuDB, limit: int) -> list[InboxRow]:
    timeout = conf.gammu_multipart_timeout()
    if db.vendor == "sqlite":
        old = "(\"UpdatedInDB\" <= datetime('now', %s))"
        old_param: Any = f"-{timeout} seconds"
    else:
        old = '("UpdatedInDB" <= LOCALTIMESTAMP(0) - make_interval(secs => %s))'
        old_param = timeout
    sql = (
        f'SELECT "ID", "SenderNumber", "TextDecoded", "Coding", "UDH", "ReceivingDateTime", {old} AS old '  # noqa: S608
        'FROM inbox WHERE "Processed" = \'false\' ORDER BY "ID" LIMIT %s'
    )  # `old` is one of two constant expressions; values go through placeholders
    rows = db.fetchall(sql, (old_param, limit))
    return [
        InboxRow(
            id=int(r[0]),
            sender=r[1] or "",
            text=r[2] or "",
            coding=r[3] or "",
            udh=r[4] or "",
            received=str(r[5]),
            old=bool(r[6]),
        )
        for r in rows
    ]


def poll_once(db: GammuDB | None = None, *, limit: int = 200) -> PollStats:
    """Turn Gammu's unprocessed inbox rows into Aduan messages and queue the replies in its outbox."""
    from aduan.channels.services import sms_receive

    own = db is None
    db = db or connect()
    stats = PollStats()
    try:
        for group in group_rows(_unprocessed(db, limit)):
            if not group.complete and not all(row.old for row in group.rows):
                stats.waiting += 1  # parts may still arrive; look again next poll
                continue
            first = group.first
            ids = [row.id for row in group.rows]
            with db.transaction():
                if first.coding == "8bit":
                    # Binary payloads (WAP push, SIM updates) are not citizens' texts.
                    stats.skipped += 1
                    logger.info("gammu inbox %s: 8-bit message from %s skipped", ids, first.sender)
                else:
                    # The inbox ID alone may repeat if the Gammu database is ever recreated; sender
                    # and receiving time make the gateway id unique for good.
                    gateway_id = f"{first.id}:{first.sender}:{first.received}"
                    received = sms_receive(first.sender, group.text, gateway_id, gateway="gammu")
                    stats.messages += 1
                    if received.reply:
                        # Reply to the number exactly as the modem saw it.
                        queue_sms(db, first.sender, received.reply)
                        stats.replies += 1
                # Marked in the same Gammu transaction as the reply: a crash before this commit
                # means the row is read again, Aduan answers it from the stored message (same gateway
                # id, no second report) and the reply is queued once.
                placeholders = ", ".join(["%s"] * len(ids))
                update = f'UPDATE inbox SET "Processed" = \'true\' WHERE "ID" IN ({placeholders})'  # noqa: S608
                db.execute(update, ids)
                stats.rows += len(ids)
    finally:
        if own:
            db.close()
    return stats
