"""Photos kept across a form error: when the report form comes back with an error, the files the
citizen chose are kept for a short while, already checked and re-encoded (no metadata), and go with
the next submission unless new ones are chosen. Bound to the visitor's session; removed once the
report is sent, and by the next draft of anyone after DRAFT_SECONDS."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest

from aduan.core.errors import DomainError
from aduan.intake.uploads import uploads_check

SESSION_KEY = "portal_draft_uploads"
DRAFT_SECONDS = 3600


def _root() -> Path:
    return Path(settings.DATA_DIR) / "drafts"


def _sweep() -> None:
    """Remove drafts older than DRAFT_SECONDS (anyone's): photos never linger."""
    root = _root()
    if not root.is_dir():
        return
    cutoff = time.time() - DRAFT_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def draft_save(request: HttpRequest, uploads: Sequence[IO[bytes]], *, keep_location: bool) -> str:
    """Check the uploads (the usual pipeline) and keep them as this session's draft; its token, or
    "" when there is nothing to keep or a file is refused (the form then says so as before)."""
    if not uploads:
        return ""
    try:
        checked = uploads_check(uploads, keep_location=keep_location)
    except DomainError:  # a refused file: the form's own error names it; nothing is kept
        return ""
    _sweep()
    token = secrets.token_urlsafe(16)
    folder = _root() / token
    folder.mkdir(parents=True)
    manifest = []
    for n, item in enumerate(checked, start=1):
        (folder / f"{n}.{item.extension}").write_bytes(item.data)
        if item.thumbnail is not None:
            (folder / f"{n}-kecil.jpg").write_bytes(item.thumbnail)
        manifest.append(
            {"file": f"{n}.{item.extension}", "name": item.original_name, "thumb": bool(item.thumbnail)}
        )
    (folder / "manifest.json").write_text(json.dumps(manifest))
    request.session[SESSION_KEY] = [token, *request.session.get(SESSION_KEY, [])][:5]
    return token


def _folder(request: HttpRequest, token: str) -> Path | None:
    if not token or token not in request.session.get(SESSION_KEY, []):
        return None
    folder = _root() / token
    if not (folder / "manifest.json").is_file() or folder.stat().st_mtime < time.time() - DRAFT_SECONDS:
        return None
    return folder


def draft_items(request: HttpRequest, token: str) -> list[dict[str, object]]:
    """The kept files of this session's draft `token` (name, whether it has a thumbnail), or []."""
    folder = _folder(request, token)
    return json.loads((folder / "manifest.json").read_text()) if folder else []


def draft_uploads(request: HttpRequest, token: str) -> list[UploadedFile]:
    """The kept files as uploads for the next submission (checked again by the pipeline there)."""
    folder = _folder(request, token)
    if folder is None:
        return []
    return [
        SimpleUploadedFile(str(item["name"]), (folder / str(item["file"])).read_bytes())
        for item in draft_items(request, token)
    ]


def draft_thumbnail(request: HttpRequest, token: str, number: int) -> bytes | None:
    folder = _folder(request, token)
    path = folder / f"{number}-kecil.jpg" if folder else None
    return path.read_bytes() if path is not None and path.is_file() else None


def draft_discard(request: HttpRequest, token: str) -> None:
    if _folder(request, token) is not None:
        shutil.rmtree(_root() / token, ignore_errors=True)
    request.session[SESSION_KEY] = [t for t in request.session.get(SESSION_KEY, []) if t != token]
