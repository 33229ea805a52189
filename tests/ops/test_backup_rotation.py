"""Scheduled backups (`aduan backup -o DIR --keep N`, run by deploy/systemd/aduan-backup.timer):
each run writes a new dated subdirectory that verifies, then prunes the oldest beyond N; nothing
else in DIR is touched, and a refused run removes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.databases import fresh_database
from tests.ops.test_backup import aduan, installation

DATED = re.compile(r"^aduan-(\d{8}T\d{6}Z)$")


@pytest.fixture
def database_url() -> Iterator[str | None]:
    with fresh_database("bk_rot") as url:
        yield url


def fake_backup(path: Path, *, complete: bool) -> None:
    path.mkdir()
    if complete:
        (path / "manifest.json").write_text("{}\n")


def dated(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if DATED.match(p.name))


def next_second() -> None:
    """Names have one-second resolution: start the next run in a new second."""
    time.sleep(1.05 - time.time() % 1)


def test_backup_keep_writes_a_dated_backup_and_prunes_the_oldest(
    tmp_path: Path, database_url: str | None
) -> None:
    env = installation(tmp_path / "data", database_url)
    aduan(env, "migrate", "-v0")
    aduan(env, "demo", "--reports", "2")
    parent = tmp_path / "backups"
    parent.mkdir()
    fake_backup(parent / "aduan-20200101T000000Z", complete=True)
    fake_backup(parent / "aduan-20200102T000000Z", complete=True)
    fake_backup(parent / "aduan-20200103T000000Z.partial", complete=False)  # a run killed mid-write
    (parent / "catatan.txt").write_text("not a backup\n")
    fake_backup(parent / "aduan-manual", complete=True)  # someone's own, not a dated name

    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    first = aduan(env, "backup", "-o", str(parent), "--keep", "2")
    names = dated(parent)
    assert len(names) == 2 and names[0] == "aduan-20200102T000000Z", names
    new = parent / names[1]
    stamp = dt.datetime.strptime(DATED.match(new.name).group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)  # type: ignore[union-attr]
    assert started <= stamp <= dt.datetime.now(dt.UTC)
    assert str(new) in first.stdout
    assert "aduan-20200101T000000Z" in first.stdout and "aduan-20200103T000000Z.partial" in first.stdout
    assert not (parent / "aduan-20200103T000000Z.partial").exists()
    assert (parent / "catatan.txt").exists() and (parent / "aduan-manual").exists()
    manifest = json.loads((new / "manifest.json").read_text())
    assert any(name.startswith("database.") for name in manifest["files"])
    assert "cocok" in aduan(env, "restore", str(new), "--check").stdout

    next_second()
    aduan(env, "backup", "-o", str(parent), "--keep", "2")
    next_second()
    aduan(env, "backup", "-o", str(parent), "--keep", "2")
    names = dated(parent)
    assert len(names) == 2 and "aduan-20200102T000000Z" not in names and new.name not in names, names
    assert not any(p.name.endswith(".partial") for p in parent.iterdir())


def test_backup_keep_refuses_bad_arguments_and_removes_nothing(tmp_path: Path) -> None:
    env = installation(tmp_path / "data", None)
    aduan(env, "migrate", "-v0")
    parent = tmp_path / "backups"
    parent.mkdir()
    fake_backup(parent / "aduan-20200101T000000Z", complete=True)
    zero = aduan(env, "backup", "-o", str(parent), "--keep", "0", check=False)
    assert zero.returncode != 0 and "--keep" in zero.stderr and "Traceback" not in zero.stderr
    a_file = tmp_path / "berkas"
    a_file.write_text("x")
    not_dir = aduan(env, "backup", "-o", str(a_file), "--keep", "3", check=False)
    assert (
        not_dir.returncode != 0 and "not a directory" in not_dir.stderr and "Traceback" not in not_dir.stderr
    )
    assert dated(parent) == ["aduan-20200101T000000Z"]


def test_a_failed_backup_leaves_the_older_ones_and_no_partial(
    tmp_path: Path, database_url: str | None
) -> None:
    env = installation(tmp_path / "data", database_url)
    aduan(env, "migrate", "-v0")
    parent = tmp_path / "backups"
    aduan(env, "backup", "-o", str(parent), "--keep", "1")
    (kept,) = dated(parent)
    # The database is gone (another name on PostgreSQL, a missing directory for SQLite).
    if database_url:
        env["DATABASE_URL"] = database_url + "_missing"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'gone' / 'aduan.sqlite3'}"
    next_second()
    failed = aduan(env, "backup", "-o", str(parent), "--keep", "1", check=False)
    assert failed.returncode != 0 and "Traceback" not in failed.stderr, failed.stderr
    assert sorted(p.name for p in parent.iterdir()) == [kept]
