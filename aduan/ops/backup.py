"""Backup and restore of one installation: the database, the attachment files and the instance
key, with a manifest of SHA-256 checksums.

The database is copied with the engine's own consistent tools: SQLite's online backup API (a
snapshot while web and worker keep writing), PostgreSQL's `pg_dump` in custom format (one
snapshot transaction). The dump is taken before the files: an attachment is stored before its
row is committed and never changed afterwards, so every file the dump names is already on disk
when the files are copied (a file written later is copied too, harmless).

The instance key (SECRET_KEY) is part of the backup because the audit chain is keyed with it: a
restore under another key would no longer verify (aduan/workflow/audit.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from aduan.core import clock, signing
from aduan.intake.upload_drafts import DRAFTS

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
KEY_FILE = "keys/secret_key"
# The Ed25519 key peers and agency systems know this installation by (aduan/core/signing.py).
INSTANCE_KEY_FILE = "keys/instance_ed25519.pem"
# Scheduled backups (`aduan backup -o DIR --keep N`): one subdirectory per run, named by its UTC
# start so that names sort by age; written under a .partial name and renamed once complete.
DATED_NAME = re.compile(r"^aduan-\d{8}T\d{6}Z$")
PARTIAL_SUFFIX = ".partial"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Rotated:
    path: Path
    manifest: dict[str, Any]
    removed: list[Path]


@dataclass(frozen=True)
class Restored:
    reports: int
    files: int


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def key_fingerprint(secret: str) -> str:
    """Names a SECRET_KEY without revealing it (the manifest may be read by anyone)."""
    return hashlib.sha256(b"aduan.ops.backup:" + secret.encode()).hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"database engine {vendor!r} is not supported")
    return vendor


def _pg_env() -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore from Django's settings (no password on argv)."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install postgresql-client of the server's major version")
    return found


def _sqlite_copy(src: Path | str, dst: Path | str) -> None:
    """Copy one SQLite database onto another with SQLite's online backup (consistent while in use)."""
    source = sqlite3.connect(str(src))
    dest = sqlite3.connect(str(dst))
    try:
        with dest:
            source.backup(dest)
    finally:
        dest.close()
        source.close()


def _stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the attachment storage (through the storage API: the local media
    directory or an object store alike), sorted, less readiness probes' scratch files and the
    portal's short-lived drafts."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:  # a filesystem storage whose directory was never made
        return
    for name in sorted(files):
        if not name.startswith(".readyz-"):
            yield f"{folder}/{name}" if folder else name
    for sub in sorted(dirs):
        if folder or sub != DRAFTS:  # photos of forms not sent: no report's, gone within the hour
            yield from _stored_files(storage, f"{folder}/{sub}" if folder else sub)


def media_backup(*, out: Path) -> list[str]:
    """Copy every stored attachment file under out/media; the names written (relative to out)."""
    names = []
    for stored in _stored_files(default_storage):
        target = out / MEDIA_DIR / stored
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(stored, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        names.append(f"{MEDIA_DIR}/{stored}")
    return names


def media_restore(*, source: Path, names: Iterable[str]) -> int:
    """Store the backed-up attachment files among `names` under their own names; how many."""
    files = 0
    for name in names:
        if name.startswith(MEDIA_DIR + "/"):
            stored = name.removeprefix(MEDIA_DIR + "/")
            with (source / name).open("rb") as copy:
                saved = default_storage.save(stored, File(copy))
            if saved != stored:  # the rows name the file: it must come back under its own name
                raise BackupError(f"the attachment storage stored {stored} as {saved}")
            files += 1
    return files


def _dump_database(out: Path, engine: str) -> str:
    if engine == "sqlite":
        try:
            _sqlite_copy(settings.DATABASES["default"]["NAME"], out / SQLITE_FILE)
        except sqlite3.Error as exc:
            raise BackupError(
                f"SQLite backup of {settings.DATABASES['default']['NAME']} failed: {exc}"
            ) from None
        return SQLITE_FILE
    target = out / PG_FILE
    run = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
    return PG_FILE


def backup_create(*, out: Path) -> dict[str, Any]:
    """Write a backup into `out` (absent or empty); returns the manifest."""
    engine = _engine()
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: give a new directory for each backup")
    out.mkdir(parents=True, exist_ok=True)
    names = [_dump_database(out, engine)]

    names += media_backup(out=out)

    key_file = Path(settings.DATA_DIR) / "secret_key"
    if key_file.is_file() and key_file.read_text().strip() == settings.SECRET_KEY:
        (out / KEY_FILE).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(key_file, out / KEY_FILE)
        (out / KEY_FILE).chmod(0o600)
        names.append(KEY_FILE)

    instance_key = signing.key_file()
    if instance_key.is_file():
        shutil.copy2(instance_key, out / INSTANCE_KEY_FILE)
        (out / INSTANCE_KEY_FILE).chmod(0o600)
        names.append(INSTANCE_KEY_FILE)

    manifest = {
        "format": FORMAT,
        "created_at": clock.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "migrations": sorted(
            f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
        ),
        "secret_key_fingerprint": key_fingerprint(settings.SECRET_KEY),
        "files": {
            name: {"size": (out / name).stat().st_size, "sha256": _sha256(out / name)} for name in names
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def backup_rotate(*, parent: Path, keep: int) -> Rotated:
    """Write a new dated backup under `parent`, then remove the oldest dated backups beyond the
    newest `keep` (this one included) and any left half-written by an interrupted run.

    Only after the new backup is complete is anything removed: a backup that fails (disk full,
    pg_dump refused) leaves the older ones as they were. Nothing in `parent` but our own dated
    directories is ever touched."""
    if keep < 1:
        raise BackupError(f"--keep must be at least 1, not {keep}")
    if parent.exists() and not parent.is_dir():
        raise BackupError(f"{parent} is not a directory")
    parent.mkdir(parents=True, exist_ok=True)
    name = "aduan-" + clock.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    final, partial = parent / name, parent / (name + PARTIAL_SUFFIX)
    if final.exists() or partial.exists():
        raise BackupError(f"{final} already exists: another backup started this second")
    try:
        manifest = backup_create(out=partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(final)

    complete = sorted(
        p for p in parent.iterdir() if p.is_dir() and DATED_NAME.match(p.name) and (p / MANIFEST).is_file()
    )
    # A .partial older than this run's is from a run that died (kill -9, power loss) mid-write.
    interrupted = [
        p
        for p in parent.iterdir()
        if p.is_dir()
        and p.name.endswith(PARTIAL_SUFFIX)
        and DATED_NAME.match(p.name.removesuffix(PARTIAL_SUFFIX))
        and p.name < partial.name
    ]
    removed = sorted(complete[:-keep] + interrupted)
    for old in removed:
        shutil.rmtree(old)
    return Rotated(path=final, manifest=manifest, removed=removed)


def backup_verify(source: Path) -> dict[str, Any]:
    """The manifest of the backup in `source`, after checking every file against it."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source / MANIFEST} not found: not an Aduan backup") from None
    except ValueError as exc:
        raise BackupError(f"{source / MANIFEST} is not valid JSON: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    problems = []
    for name, meta in sorted(manifest["files"].items()):
        path = source / name
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif path.stat().st_size != meta["size"] or _sha256(path) != meta["sha256"]:
            problems.append(f"checksum differs: {name}")
    if problems:
        shown = "; ".join(problems[:10]) + (f" (+{len(problems) - 10})" if len(problems) > 10 else "")
        raise BackupError(f"the backup is damaged: {shown}")
    return manifest


def _installation_empty() -> str | None:
    """None when this installation has no tables and no attachment files, else what it has."""
    tables = connection.introspection.table_names()
    if tables:
        return f"the database already has {len(tables)} tables (restore into a new, empty database; do not run migrate first)"
    if next(_stored_files(default_storage), None) is not None:
        return "the attachment storage already holds files"
    return None


def backup_restore(*, source: Path) -> Restored:
    """Restore the backup in `source` into this installation, which must be empty."""
    manifest = backup_verify(source)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"the backup is of a {manifest['engine']} database; this installation uses {engine}"
        )
    not_empty = _installation_empty()
    if not_empty:
        raise BackupError(f"refused: {not_empty}")

    names = manifest["files"]
    key_file = Path(settings.DATA_DIR) / "secret_key"
    if KEY_FILE not in names and key_fingerprint(settings.SECRET_KEY) != manifest["secret_key_fingerprint"]:
        raise BackupError(
            "the backed-up installation took its key from ADUAN_SECRET_KEY: set the same value here "
            "(the audit chain is keyed with it)"
        )
    if KEY_FILE in names and os.environ.get("ADUAN_SECRET_KEY"):
        if key_fingerprint(settings.SECRET_KEY) != manifest["secret_key_fingerprint"]:
            raise BackupError(
                "ADUAN_SECRET_KEY differs from the backed-up installation's key: unset it "
                "(the backup's key file is restored) or set it to that key"
            )

    if engine == "sqlite":
        connection.close()
        _sqlite_copy(source / SQLITE_FILE, settings.DATABASES["default"]["NAME"])
    else:
        env = _pg_env()
        run = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [
                _pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",  # a failed restore leaves the database empty, to retry
                "--dbname",
                env["PGDATABASE"],
                str(source / PG_FILE),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError(f"pg_restore failed: {run.stderr.strip()}")

    files = media_restore(source=source, names=names)
    if KEY_FILE in names and not os.environ.get("ADUAN_SECRET_KEY"):
        shutil.copy2(source / KEY_FILE, key_file)
        key_file.chmod(0o600)
    if INSTANCE_KEY_FILE in names:
        instance_key = signing.key_file()
        instance_key.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / INSTANCE_KEY_FILE, instance_key)
        instance_key.chmod(0o600)

    from aduan.intake.models import Report

    return Restored(reports=Report.objects.count(), files=files)
