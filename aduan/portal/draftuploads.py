"""Photos kept across a form error: when the report form comes back with an error, the files the
citizen chose are kept for a short while, already checked and re-encoded (no metadata), and go with
the next submission unless new ones are chosen. Bound to the visitor's session; removed once the
report is sent, and by the periodic sweep after DRAFT_SECONDS (aduan.intake.upload_drafts keeps
the files)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest

from aduan.core.errors import DomainError
from aduan.intake.upload_drafts import (
    DraftItem,
    upload_draft_delete,
    upload_draft_folder,
    upload_draft_items,
    upload_draft_write,
)
from aduan.intake.uploads import CheckedFile, uploads_check

SESSION_KEY = "portal_draft_uploads"


def draft_save(
    request: HttpRequest,
    uploads: Sequence[IO[bytes]],
    *,
    keep_location: bool,
    checked: list[CheckedFile] | None = None,
) -> str:
    """Keep the uploads, checked by the usual pipeline (unless `checked` already holds what it
    answered for them), as this session's draft; its token, or "" when there is nothing to keep or
    a file is refused (the form then says so as before)."""
    if not uploads:
        return ""
    if checked is None:
        try:
            checked = uploads_check(uploads, keep_location=keep_location)
        except DomainError:  # a refused file: the form's own error names it; nothing is kept
            return ""
    token = upload_draft_write(checked)
    request.session[SESSION_KEY] = [token, *request.session.get(SESSION_KEY, [])][:5]
    return token


def _folder(request: HttpRequest, token: str) -> Path | None:
    if not token or token not in request.session.get(SESSION_KEY, []):
        return None
    return upload_draft_folder(token)


def draft_items(request: HttpRequest, token: str) -> list[DraftItem]:
    """The kept files of this session's draft `token` (name, whether it has a thumbnail), or []."""
    folder = _folder(request, token)
    return upload_draft_items(folder) if folder else []


def draft_uploads(request: HttpRequest, token: str) -> list[UploadedFile]:
    """The kept files as uploads for the next submission (checked again by the pipeline there)."""
    folder = _folder(request, token)
    if folder is None:
        return []
    return [
        SimpleUploadedFile(str(item["name"]), (folder / str(item["file"])).read_bytes())
        for item in upload_draft_items(folder)
    ]


def draft_thumbnail(request: HttpRequest, token: str, number: int) -> bytes | None:
    folder = _folder(request, token)
    path = folder / f"{number}-kecil.jpg" if folder else None
    return path.read_bytes() if path is not None and path.is_file() else None


def draft_discard(request: HttpRequest, token: str) -> None:
    if _folder(request, token) is not None:
        upload_draft_delete(token)
    request.session[SESSION_KEY] = [t for t in request.session.get(SESSION_KEY, []) if t != token]
