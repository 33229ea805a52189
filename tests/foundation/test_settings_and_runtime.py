from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from aduan.core import clock
from aduan.env import env_bool, env_choice, env_int
from aduan.sla.calendar import WorkingCalendar

ROOT = Path(__file__).resolve().parents[2]


def test_env_helpers_refuse_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_BOOL", "yes")
    assert env_bool("X_BOOL") is True
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_INT", 5, minimum=1)
    monkeypatch.setenv("X_CHOICE", "telegram")
    with pytest.raises(ImproperlyConfigured, match="X_CHOICE"):
        env_choice("X_CHOICE", "console", {"console", "gammu"})


def test_defaults_are_indonesian_and_aware() -> None:
    assert settings.LANGUAGE_CODE == "id" and settings.TIME_ZONE == "Asia/Jakarta" and settings.USE_TZ
    assert [code for code, _name in settings.LANGUAGES] == ["id", "en"]
    assert clock.now().tzinfo is not None


def _run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='aduan.settings'; from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.DATA_DIR)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_embedded_default_needs_no_settings_and_keeps_its_secret(tmp_path: Path) -> None:
    first = _run_settings({"ADUAN_DATA_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    assert "sqlite3" in first.stdout and str(tmp_path) in first.stdout
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40 and _run_settings({"ADUAN_DATA_DIR": str(tmp_path)}).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key  # generated once, kept


def test_bad_settings_fail_loudly(tmp_path: Path) -> None:
    for env in ({"ADUAN_DEBUG": "kadang"}, {"DATABASE_URL": "mysql://x"}, {"ADUAN_SECRET_KEY": "short"}):
        result = _run_settings({"ADUAN_DATA_DIR": str(tmp_path), **env})
        assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr, env
    postgres = _run_settings(
        {"ADUAN_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@127.0.0.1:5432/aduan"}
    )
    assert "postgresql" in postgres.stdout


@pytest.mark.django_db
def test_verification_deadline_skips_idul_fitri_and_cuti_bersama() -> None:
    from tests.factories import submit

    arrival = dt.datetime(2023, 4, 18, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert WorkingCalendar().add_working_days(arrival.date(), 3) == dt.date(2023, 4, 28)
    with clock.travel(arrival):
        report = submit().report
    assert clock.local_date(report.due_at) == dt.date(2023, 4, 28)  # type: ignore[arg-type]
    assert report.submitted_at.year == 2023


def test_aduan_console_entry_point() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "aduan"), "help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "demo" in result.stdout and "import_regions" in result.stdout
