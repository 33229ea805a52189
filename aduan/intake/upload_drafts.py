"""Checked uploads kept for a short while (the portal keeps a form's photos across a form error):
one folder per draft, `drafts/<token>/`, in the attachment storage (STORAGES["default"]: the media
directory or an object store, so that every application server sees a draft whichever one wrote
it), the files as the upload pipeline answered them (re-encoded, no metadata) and a manifest. Who
may use a draft is the caller's (aduan.portal.draftuploads binds it to the session); a draft older
than DRAFT_SECONDS is never read, and the periodic sweep removes it (prune_upload_drafts). Backups
leave drafts out (aduan/ops/backup.py): they belong to no report."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from aduan.intake.uploads import CheckedFile

DRAFT_SECONDS = 3600
# The drafts' folder at the top of the attachment storage.
DRAFTS = "drafts"
MANIFEST = "manifest.json"

# One kept file: its stored file name, the name the citizen gave it, whether it has a thumbnail.
DraftItem = dict[str, object]


def _name(token: str, file: str) -> str:
    return f"{DRAFTS}/{token}/{file}"


def upload_draft_write(files: list[CheckedFile]) -> str:
    """Write checked files as a new draft; its token (unguessable: it is the draft's only name)."""
    token = secrets.token_urlsafe(16)
    items = []
    for n, item in enumerate(files, start=1):
        default_storage.save(_name(token, f"{n}.{item.extension}"), ContentFile(item.data))
        if item.thumbnail is not None:
            default_storage.save(_name(token, f"{n}-kecil.jpg"), ContentFile(item.thumbnail))
        items.append(
            {"file": f"{n}.{item.extension}", "name": item.original_name, "thumb": bool(item.thumbnail)}
        )
    # Written last: a draft without its manifest is never read (and pruned by its files' age).
    manifest = {"created": time.time(), "items": items}
    default_storage.save(_name(token, MANIFEST), ContentFile(json.dumps(manifest).encode()))
    return token


def _manifest(token: str) -> dict[str, object] | None:
    try:
        with default_storage.open(_name(token, MANIFEST), "rb") as f:
            manifest: dict[str, object] = json.loads(f.read())
    except (FileNotFoundError, OSError, ValueError):
        return None
    return manifest


def upload_draft_items(token: str) -> list[DraftItem] | None:
    """The files of draft `token`, or None when there is none or it has expired. The token must be
    one the caller handed out (it becomes a name): aduan.portal.draftuploads checks the session."""
    manifest = _manifest(token) if token else None
    if manifest is None or float(str(manifest.get("created", 0))) < time.time() - DRAFT_SECONDS:
        return None
    items = manifest.get("items")
    return list(items) if isinstance(items, list) else None


def upload_draft_read(token: str, file: str) -> bytes | None:
    """One file of draft `token` (checked with upload_draft_items first), or None."""
    try:
        with default_storage.open(_name(token, file), "rb") as f:
            data: bytes = f.read()
    except (FileNotFoundError, OSError):
        return None
    return data


def upload_draft_delete(token: str) -> None:
    folder = f"{DRAFTS}/{token}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    # The manifest first: a draft half removed is no longer read.
    for file in sorted(files, key=lambda name: name != MANIFEST):
        default_storage.delete(f"{folder}/{file}")


def _prune_legacy(cutoff: float) -> int:
    """Drafts of releases that kept them as folders under DATA_DIR/drafts (photos never linger)."""
    root = Path(settings.DATA_DIR) / "drafts"
    removed = 0
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed


def prune_upload_drafts() -> int:
    """Remove drafts older than DRAFT_SECONDS (anyone's): photos never linger. The number removed."""
    cutoff = time.time() - DRAFT_SECONDS
    removed = _prune_legacy(cutoff)
    try:
        tokens, _files = default_storage.listdir(DRAFTS)
    except FileNotFoundError:
        return removed
    for token in tokens:
        manifest = _manifest(token)
        if manifest is not None:
            created = float(str(manifest.get("created", 0)))
        else:  # written only in part (a crash), or being written: the age of its files
            _dirs, files = default_storage.listdir(f"{DRAFTS}/{token}")
            times = [default_storage.get_modified_time(_name(token, f)).timestamp() for f in files]
            created = max(times, default=0.0)
        if created < cutoff:
            upload_draft_delete(token)
            removed += 1
    return removed
