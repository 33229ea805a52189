"""A form error keeps the chosen photos: checked, kept for the session a short while, shown as
thumbnails, and sent with the next try unless new files are chosen."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from aduan.intake.models import Report
from tests.imagefiles import photo_jpeg
from tests.portal.conftest import csrf_client, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


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
    assert not (Path(settings.DATA_DIR) / "drafts" / kept.group(1)).exists()  # gone once sent


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
