"""Checked uploads kept on disk for a short while (the portal keeps a form's photos across a form
error): one folder per draft under DATA_DIR/drafts, the files as the upload pipeline answered them
(re-encoded, no metadata) and a manifest. Who may use a draft is the caller's (aduan.portal.draftuploads
binds it to the session); a draft older than DRAFT_SECONDS is never read, and the periodic sweep
removes it (prune_upload_drafts)."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings

from aduan.intake.uploads import CheckedFile

DRAFT_SECONDS = 3600

# One kept file: its stored file name, the name the citizen gave it, whether it has a thumbnail.
DraftItem = dict[str, object]


def _root() -> Path:
    return Path(settings.DATA_DIR) / "drafts"


def upload_draft_write(files: list[CheckedFile]) -> str:
    """Write checked files as a new draft; its token (unguessable: it is the draft's only name)."""
    token = secrets.token_urlsafe(16)
    folder = _root() / token
    folder.mkdir(parents=True)
    manifest = []
    for n, item in enumerate(files, start=1):
        (folder / f"{n}.{item.extension}").write_bytes(item.data)
        if item.thumbnail is not None:
            (folder / f"{n}-kecil.jpg").write_bytes(item.thumbnail)
        manifest.append(
            {"file": f"{n}.{item.extension}", "name": item.original_name, "thumb": bool(item.thumbnail)}
        )
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return token


def upload_draft_folder(token: str) -> Path | None:
    """The folder of draft `token`, or None when there is none or it has expired. The token must be
    one the caller handed out (it becomes a path): aduan.portal.draftuploads checks the session."""
    if not token:
        return None
    folder = _root() / token
    if not (folder / "manifest.json").is_file() or folder.stat().st_mtime < time.time() - DRAFT_SECONDS:
        return None
    return folder


def upload_draft_items(folder: Path) -> list[DraftItem]:
    """The manifest of a draft folder (upload_draft_folder)."""
    items: list[DraftItem] = json.loads((folder / "manifest.json").read_text())
    return items


def upload_draft_delete(token: str) -> None:
    shutil.rmtree(_root() / token, ignore_errors=True)


def prune_upload_drafts() -> int:
    """Remove drafts older than DRAFT_SECONDS (anyone's): photos never linger. The number removed."""
    root = _root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - DRAFT_SECONDS
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
