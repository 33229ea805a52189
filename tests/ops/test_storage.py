"""Attachments go through Django's storage API only (STORAGES["default"]), so that object storage
is a setting (ADUAN_STORAGE=s3; docs/scaling.md). Here the storage is Django's InMemoryStorage, and
django-storages' S3Storage speaking HTTP to an S3-compatible server on the loopback (moto's), with
MEDIA_ROOT a directory that must stay empty: upload, thumbnail, serving to the citizen and the
coordinator, the readiness probe, backup and restore, and erasure all work without it."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from aduan.accounts.models import User
from aduan.intake.models import Attachment
from aduan.intake.upload_drafts import (
    upload_draft_delete,
    upload_draft_items,
    upload_draft_read,
    upload_draft_write,
)
from aduan.intake.uploads import attachment_files_delete, thumbnails_backfill, upload_check
from aduan.ops import backup
from aduan.ops.health import storage_check
from tests.imagefiles import photo_jpeg

S3_PORT = 9290


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """An S3-compatible server on the loopback (moto's), its address."""
    server_module = pytest.importorskip("moto.server", reason="moto (dev extra) is not installed")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=S3_PORT, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{S3_PORT}"
    server.stop()


def _s3(endpoint: str, bucket: str, prefix: str) -> dict[str, Any]:
    """STORAGES["default"] as aduan/settings.py builds it for ADUAN_STORAGE=s3."""
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="aduan",
        aws_secret_access_key="x",
    ).create_bucket(Bucket=bucket)
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": "aduan",
        "secret_key": "x",
        "location": prefix,
        "addressing_style": "path",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


@pytest.fixture(params=["memory", "s3"])
def new_storage(request: pytest.FixtureRequest, settings, tmp_path: Path) -> Callable[[str], dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A maker of empty attachment storages of one kind, by name."""
    if request.param == "memory":
        return lambda name: {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"location": name},
        }
    endpoint = request.getfixturevalue("s3_server")
    bucket = f"aduan-{uuid.uuid4().hex[:12]}"
    return lambda name: _s3(endpoint, f"{bucket}-{name}", "media")


@pytest.fixture
def media_root(settings, tmp_path: Path, new_storage: Callable[[str], dict[str, Any]]) -> Path:  # type: ignore[no-untyped-def]
    """The attachment storage made by `new_storage`; the returned MEDIA_ROOT must never get a file."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": new_storage("first")}
    default_storage.listdir("")  # resolves the lazy storage under the new settings
    assert not isinstance(default_storage._wrapped, FileSystemStorage)
    return tmp_path / "media"


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def _untouched(media_root: Path) -> bool:
    return not media_root.exists() or not any(media_root.rglob("*"))


def test_upload_thumbnail_serve_backup_restore_and_erase_through_the_storage_api(
    media_root: Path,
    new_storage: Callable[[str], dict[str, Any]],
    koordinator: User,
    settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    created = Client().post(
        "/api/v1/reports",
        {
            "kind": "pengaduan",
            "title": "Jembatan retak",
            "description": "Retak di tiang jembatan desa.",
            "region": "35.02.17",
            "attachments": [
                SimpleUploadedFile("jembatan.jpg", photo_jpeg(1200, 900), "image/jpeg"),
                SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n% surat\n", "application/pdf"),
            ],
        },
    )
    assert created.status_code == 201, created.content
    number, code = created.json()["tracking_number"], created.json()["access_code"]
    photo, pdf = Attachment.objects.filter(report__tracking_number=number).order_by("pk")
    assert default_storage.exists(photo.file.name) and default_storage.exists(photo.thumbnail.name)
    assert default_storage.exists(pdf.file.name) and not pdf.thumbnail
    stored = default_storage.open(photo.file.name).read()
    assert Image.open(io.BytesIO(stored)).size == (1200, 900)

    # Served to the citizen (tracking page) and to the coordinator (console) from the storage.
    citizen = Client()
    assert citizen.post("/lacak/", {"tracking_number": number, "access_code": code}).status_code == 302
    assert _body(citizen.get(f"/lacak/{number}/lampiran/{photo.pk}/")) == stored
    thumbnail = _body(citizen.get(f"/lacak/{number}/lampiran/{photo.pk}/kecil/"))
    assert thumbnail == default_storage.open(photo.thumbnail.name).read()
    officer = Client()
    officer.force_login(koordinator)
    assert _body(officer.get(f"/konsol/laporan/{number}/lampiran/{pdf.pk}/")) == b"%PDF-1.4\n% surat\n"

    # A thumbnail made again for a photo that lacks one: read from and written to the storage.
    Attachment.objects.filter(pk=photo.pk).update(thumbnail="")
    assert thumbnails_backfill() == (1, 0)
    photo.refresh_from_db()
    assert default_storage.exists(photo.thumbnail.name)

    # Photos kept across a form error are in the storage too (every node sees them), and are no
    # report's: backups leave them out.
    draft = upload_draft_write([upload_check(io.BytesIO(photo_jpeg(640, 480)), name="draf.jpg")])
    assert upload_draft_items(draft) == [{"file": "1.jpg", "name": "draf.jpg", "thumb": True}]
    assert Image.open(io.BytesIO(upload_draft_read(draft, "1-kecil.jpg") or b"")).width <= 480

    # Readiness: the storage takes a file and gives it back, leaving nothing behind.
    before = set(backup._stored_files(default_storage))
    assert storage_check() is None
    assert set(backup._stored_files(default_storage)) == before

    # Backup copies every stored file; a restore into a new, empty storage brings back the same
    # names and bytes (the rows name them).
    out = tmp_path / "backup"
    names = backup.media_backup(out=out)
    assert sorted(names) == sorted(f"media/{name}" for name in before)
    assert not any(name.startswith("media/drafts/") for name in names)
    assert (out / f"media/{photo.file.name}").read_bytes() == stored
    settings.STORAGES = {**settings.STORAGES, "default": new_storage("second")}
    assert list(backup._stored_files(default_storage)) == []
    assert backup.media_restore(source=out, names=names) == len(names)
    assert set(backup._stored_files(default_storage)) == before
    assert default_storage.open(photo.file.name).read() == stored

    # Erasure removes the files from the storage.
    files = [photo.file.name, photo.thumbnail.name]
    attachment_files_delete([photo])
    assert not any(default_storage.exists(name) for name in files)
    upload_draft_delete(draft)
    assert upload_draft_items(draft) is None

    assert _untouched(media_root), list(media_root.rglob("*"))


def test_object_storage_is_a_setting(tmp_path: Path) -> None:
    pytest.importorskip("storages", reason="the optional extra aduan[s3] is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "ADUAN_"))}
    env |= {
        "ADUAN_DATA_DIR": str(tmp_path),
        "ADUAN_STORAGE": "s3",
        "ADUAN_S3_BUCKET": "aduan-ponorogo",
        "ADUAN_S3_ENDPOINT_URL": "http://127.0.0.1:9290",
        "ADUAN_S3_ACCESS_KEY_ID": "aduan",
        "ADUAN_S3_SECRET_ACCESS_KEY": "rahasia-sekali",
        "DJANGO_SETTINGS_MODULE": "aduan.settings",
    }
    code = (
        "import django; django.setup();"
        "from django.core.files.storage import default_storage as s;"
        "bucket = s.bucket_name;"
        "print(type(s._wrapped).__name__, bucket, s.location, s.default_acl);"
        "print(s.url('2026/12/x.jpg'))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    kind, url = done.stdout.strip().splitlines()
    assert kind == "S3Storage aduan-ponorogo media private"
    # Private objects: any URL the storage gives out is signed and expires.
    assert url.startswith("http://127.0.0.1:9290/aduan-ponorogo/media/2026/12/x.jpg?") and "Signature" in url

    missing = subprocess.run(
        [sys.executable, "-c", "import aduan.settings"],
        env={k: v for k, v in env.items() if k != "ADUAN_S3_BUCKET"},
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "ADUAN_S3_BUCKET" in missing.stderr
