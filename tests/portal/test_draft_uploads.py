"""A form error keeps the chosen photos: checked, kept for the session a short while, shown as
thumbnails, and sent with the next try unless new files are chosen."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client

from aduan.core.errors import InvalidInput
from aduan.intake import uploads as pipeline
from aduan.intake.models import Report
from aduan.intake.upload_drafts import DRAFT_SECONDS, upload_draft_items
from aduan.portal import draftuploads, views
from aduan.sla.sweeps import run_sweeps
from tests.imagefiles import photo_jpeg
from tests.portal.conftest import csrf_client, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"  # drafts live in the attachment storage


def _draft_files(token: str) -> list[str]:
    try:
        return default_storage.listdir(f"drafts/{token}")[1]
    except FileNotFoundError:
        return []


def _photo(name: str = "jalan.jpg") -> io.BytesIO:
    f = io.BytesIO(photo_jpeg(1200, 900))
    f.name = name
    return f


def _failed_with_photo(client: Client, token: str) -> str:
    response = client.post(
        "/lapor/", {**form_data(title=""), "attachments": _photo(), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 400 and not Report.objects.exists()
    return response.content.decode()


def test_a_form_error_keeps_the_photo_and_the_next_try_sends_it(settings: Any) -> None:
    client, token = csrf_client()
    page = _failed_with_photo(client, token)
    kept = re.search(r'name="draft_uploads" value="([^"]+)"', page)
    assert kept and "masih tersimpan sementara" in page and "jalan.jpg" in page
    thumb = f"/lapor/draf-lampiran/{kept.group(1)}/1/"
    assert thumb in page
    shown = client.get(thumb)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert "no-store" in shown["Cache-Control"]
    assert Client().get(thumb).status_code == 404  # another visitor
    sent = client.post(
        "/lapor/", {**form_data(), "draft_uploads": kept.group(1), "csrfmiddlewaretoken": token}
    )
    assert sent.status_code == 302
    report = Report.objects.get()
    assert [a.original_name for a in report.attachments.all()] == ["jalan.jpg"]
    assert _draft_files(kept.group(1)) == []  # gone once sent


def test_another_session_cannot_use_the_kept_photos() -> None:
    client, token = csrf_client()
    kept = re.search(r'name="draft_uploads" value="([^"]+)"', _failed_with_photo(client, token))
    assert kept
    other, other_token = csrf_client()
    sent = other.post(
        "/lapor/", {**form_data(), "draft_uploads": kept.group(1), "csrfmiddlewaretoken": other_token}
    )
    assert sent.status_code == 302 and Report.objects.get().attachments.count() == 0


def test_a_refused_file_is_not_kept() -> None:
    client, token = csrf_client()
    bad = io.BytesIO(b"bukan gambar sama sekali")
    bad.name = "x.jpg"
    page = client.post(
        "/lapor/", {**form_data(title=""), "attachments": bad, "csrfmiddlewaretoken": token}
    ).content.decode()
    assert "draft_uploads" not in page


def test_a_report_refused_after_the_check_keeps_the_photo_checked_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks = []
    real_check = pipeline.uploads_check

    def counted(*args: Any, **kwargs: Any) -> Any:
        checks.append(1)
        return real_check(*args, **kwargs)

    def refused(**kwargs: Any) -> Any:
        raise InvalidInput("Wilayah tidak dikenal.", field="region")

    monkeypatch.setattr(views, "uploads_check", counted)
    monkeypatch.setattr(draftuploads, "uploads_check", counted)
    monkeypatch.setattr(views, "submit_report", refused)
    client, token = csrf_client()
    response = client.post("/lapor/", {**form_data(), "attachments": _photo(), "csrfmiddlewaretoken": token})
    page = response.content.decode()
    assert response.status_code == 400 and "Wilayah tidak dikenal." in page
    assert re.search(r'name="draft_uploads" value="([^"]+)"', page) and "jalan.jpg" in page
    assert len(checks) == 1


def test_a_refused_file_in_a_valid_form_is_not_kept() -> None:
    client, token = csrf_client()
    bad = io.BytesIO(b"bukan gambar sama sekali")
    bad.name = "x.jpg"
    response = client.post("/lapor/", {**form_data(), "attachments": bad, "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and not Report.objects.exists()
    assert "draft_uploads" not in response.content.decode()


def test_the_periodic_sweep_removes_expired_drafts(settings: Any) -> None:
    client, token = csrf_client()
    kept = re.search(r'name="draft_uploads" value="([^"]+)"', _failed_with_photo(client, token))
    assert kept
    token = kept.group(1)
    assert run_sweeps()["upload_drafts_pruned"] == 0 and "manifest.json" in _draft_files(token)  # still fresh
    with time_machine.travel(time.time() + DRAFT_SECONDS + 60, tick=False):
        assert upload_draft_items(token) is None  # expired: never read, even before the sweep
        assert run_sweeps()["upload_drafts_pruned"] == 1
    assert _draft_files(token) == []


def test_drafts_kept_on_disk_by_an_earlier_release_are_pruned(settings: Any) -> None:
    legacy = Path(settings.DATA_DIR) / "drafts"
    old, fresh = legacy / "dari-rilis-lama", legacy / "masih-baru"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "1.jpg").write_bytes(photo_jpeg(64, 48))
    then = time.time() - DRAFT_SECONDS - 60
    os.utime(old, (then, then))
    assert run_sweeps()["upload_drafts_pruned"] == 1
    assert not old.exists() and fresh.exists()
