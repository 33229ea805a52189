"""`aduan backup` then `aduan restore` into a fresh installation reproduces it exactly: reports,
events (the audit chain still verifies, keyed with the restored instance key), attachments and
the evaluation of 2022. Run as an operator would, each command its own process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

ADD_ATTACHMENT = """
import django, io
django.setup()
from PIL import Image
from aduan.intake.models import Report
from tests.factories import attach
buffer = io.BytesIO()
Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
attach(Report.objects.order_by("pk").first(), buffer.getvalue(), "jalan-rusak.jpg")
attach(Report.objects.order_by("pk").last(), b"%PDF-1.4\\n% surat\\n", "surat.pdf")
"""

SNAPSHOT = """
import django, hashlib, json
django.setup()
from aduan.intake.models import Attachment, Report
from aduan.workflow.models import ReportEvent
print(json.dumps({
    "reports": list(Report.objects.order_by("pk").values_list("pk", "tracking_number", "status", "due_at")),
    "events": list(ReportEvent.objects.order_by("pk").values_list("pk", "report_id", "action", "created_at")),
    "attachments": sorted(
        (a.file.name, hashlib.sha256(a.file.read()).hexdigest()) for a in Attachment.objects.all()
    ),
}, default=str))
"""


def installation(data: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ADUAN_SECRET_KEY"}
    }
    env |= {"ADUAN_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "aduan.settings"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def aduan(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "aduan"), *args], env=env, cwd=ROOT, check=check, capture_output=True, text=True
    )


def python(env: dict[str, str], code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def evaluation_2022(env: dict[str, str]) -> dict[str, object]:
    """The 2022 evaluation as JSON, less the moment it was generated."""
    figures = json.loads(aduan(env, "report", "--year", "2022", "--format", "json").stdout)
    assert figures.pop("generated_at")
    return dict(figures)


@pytest.fixture
def databases(tmp_path: Path) -> tuple[str | None, str | None]:
    """Two fresh databases: SQLite files under each data dir, or two new PostgreSQL databases."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None, None
        return
    import psycopg

    base, _, name = url.rpartition("/")
    names = [f"{name}_bk_src", f"{name}_bk_dst"]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for db in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
            conn.execute(f'CREATE DATABASE "{db}"')
    yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for db in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def test_backup_restores_the_ponorogo_2022_scenario_exactly(tmp_path: Path, databases) -> None:  # type: ignore[no-untyped-def]
    source = installation(tmp_path / "source", databases[0])
    aduan(source, "migrate", "-v0")
    aduan(source, "demo", "--scenario", "ponorogo-2022")
    python(source, ADD_ATTACHMENT)
    before = json.loads(python(source, SNAPSHOT))
    evaluation = evaluation_2022(source)
    assert len(before["reports"]) >= 52 and len(before["attachments"]) == 2

    backup = tmp_path / "backup"
    out = aduan(source, "backup", "-o", str(backup)).stdout
    assert "Cadangan" in out
    manifest = json.loads((backup / "manifest.json").read_text())
    assert "keys/secret_key" in manifest["files"]
    assert sum(name.startswith("media/") for name in manifest["files"]) >= 2
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((backup / name).read_bytes()).hexdigest() == meta["sha256"]

    target = installation(tmp_path / "target", databases[1])
    assert "cocok" in aduan(target, "restore", str(backup), "--check").stdout
    restored = aduan(target, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert json.loads(python(target, SNAPSHOT)) == before
    verify = aduan(target, "audit", "verify", check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert evaluation_2022(target) == evaluation
    # Nothing left to migrate: the restored schema is the code's.
    assert "[ ]" not in aduan(target, "showmigrations").stdout

    # A second restore into the same (now full) installation is refused, naming why.
    again = aduan(target, "restore", str(backup), check=False)
    assert again.returncode != 0 and "refused" in again.stderr


def test_restore_refuses_a_damaged_backup(tmp_path: Path, databases) -> None:  # type: ignore[no-untyped-def]
    source = installation(tmp_path / "source", databases[0])
    aduan(source, "migrate", "-v0")
    aduan(source, "demo", "--reports", "3")
    backup = tmp_path / "backup"
    aduan(source, "backup", "-o", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    dump = next(name for name in manifest["files"] if name.startswith("database."))
    with (backup / dump).open("ab") as f:
        f.write(b"x")
    target = installation(tmp_path / "target", databases[1])
    assert aduan(target, "restore", str(backup), "--check", check=False).returncode != 0
    refused = aduan(target, "restore", str(backup), check=False)
    assert refused.returncode != 0
    assert f"checksum differs: {dump}" in refused.stderr
    assert "Traceback" not in refused.stderr  # a clear message
