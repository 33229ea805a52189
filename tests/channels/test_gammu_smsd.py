"""End to end with the real daemon: gammu-smsd (dummy phone driver, SQL service on SQLite through
libdbi) stores an incoming SMS in `inbox`; our poller makes the report and queues the reply; the
daemon sends the reply (and a long, multipart one) from `outbox`, which lands in `sentitems`.

Skipped when gammu, gammu-smsd or libdbd-sqlite3 is missing (the Makefile installs them on CI)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aduan.channels.gammu import GammuDB, poll_once, queue_sms
from aduan.intake.models import Report

pytestmark = pytest.mark.django_db
SCHEMA = Path("/usr/share/doc/gammu-smsd/examples/sqlite.sql")
DBD_SQLITE = [
    Path("/usr/lib/x86_64-linux-gnu/dbd/libdbdsqlite3.so"),
    Path("/usr/lib/aarch64-linux-gnu/dbd/libdbdsqlite3.so"),
]


def _wait_for(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    return check()


@pytest.fixture
def smsd(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    if not (shutil.which("gammu") and shutil.which("gammu-smsd") and SCHEMA.exists()):
        pytest.skip("gammu / gammu-smsd not installed")
    if not any(p.exists() for p in DBD_SQLITE):
        pytest.skip("libdbd-sqlite3 (libdbi SQLite driver for gammu-smsd's SQL service) not installed")
    device = tmp_path / "dummy"
    device.mkdir()
    database = tmp_path / "smsd.db"
    with sqlite3.connect(database) as conn:
        conn.executescript(SCHEMA.read_text())
    rc = tmp_path / "gammurc"
    rc.write_text(
        f"[gammu]\nmodel = dummy\nconnection = none\ndevice = {device}\n\n"
        f"[smsd]\nservice = sql\ndriver = sqlite3\nsql = sqlite\ndatabase = {database.name}\ndbdir = {tmp_path}/\n"
        f"logfile = {tmp_path / 'smsd.log'}\ndebuglevel = 1\nReceiveFrequency = 1\nCommTimeout = 1\nStatusFrequency = 0\n"
    )
    # An incoming SMS on the dummy phone. `savesms` writes a Submit PDU; the daemon only takes
    # Deliver PDUs (received messages) into its inbox, so the saved file is switched to Deliver.
    subprocess.run(
        [
            "gammu",
            "-c",
            str(rc),
            "savesms",
            "TEXT",
            "-folder",
            "1",
            "-unread",
            "-sender",
            "+6281234567890",
            "-text",
            "LAPOR Jalan rusak dari modem GSM",
        ],
        check=True,
        capture_output=True,
        timeout=20,
    )
    saved = device / "sms" / "1" / "1"
    saved.write_text(saved.read_text().replace("PDU = Submit", "PDU = Deliver"))
    process = subprocess.Popen(
        ["gammu-smsd", "-c", str(rc)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield database, tmp_path / "smsd.log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_real_gammu_smsd_round_trip(smsd: tuple[Path, Path]) -> None:
    database, log = smsd
    db = GammuDB(f"sqlite:///{database}")
    try:
        rows = _wait_for(lambda: db.fetchall('SELECT "ID" FROM inbox'))
        assert rows, f"gammu-smsd stored no message; log:\n{log.read_text() if log.exists() else ''}"
        stats = poll_once(db)
        assert stats.messages == 1 and stats.replies == 1
        report = Report.objects.get(channel="sms")
        assert report.original_text == "Jalan rusak dari modem GSM"
        assert report.reporter is not None and report.reporter.phone == "+6281234567890"
        long_text = "Pertanyaan petugas: mohon sebutkan desa, RT/RW dan patokan lokasi jalan yang rusak. " * 3
        with db.transaction():
            long_id = queue_sms(db, "+6281234567890", long_text)
        sent = _wait_for(
            lambda: (
                len(db.fetchall('SELECT "ID" FROM sentitems')) >= 3
                and not db.fetchall('SELECT "ID" FROM outbox')
            ),
            timeout=20,
        )
        assert sent, f"gammu-smsd did not send the replies; log:\n{log.read_text()}"
        sentitems = db.fetchall(
            'SELECT "ID", "SequencePosition", "TextDecoded", "Status" FROM sentitems ORDER BY "ID", "SequencePosition"'
        )
        reply = [r for r in sentitems if r[0] != long_id]
        assert len(reply) == 1 and report.tracking_number in reply[0][2]
        parts = [r for r in sentitems if r[0] == long_id]
        assert [r[1] for r in parts] == list(range(1, len(parts) + 1)) and len(parts) >= 2
        assert "".join(r[2] for r in parts) == long_text
        assert all(r[3].startswith("SendingOK") for r in sentitems)
    finally:
        db.close()
