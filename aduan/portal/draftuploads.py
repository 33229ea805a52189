"""Photos kept across a form error: when the report form comes back with an error, the files the
citizen chose are kept for a short while, already checked and re-encoded (no metadata), and go with
the next submission unless new ones are chosen. Bound to the visitor's session; removed once the
report is sent, and by the periodic sweep after DRAFT_SECONDS (aduan.intake.upload_drafts keeps
the files)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest

from aduan.core.errors import DomainError
from aduan.intake.upload_drafts import (
    DraftItem,
    upload_draft_delete,
    upload_draft_items,
    upload_draft_read,
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


def _items(request: HttpRequest, token: str) -> list[DraftItem] | None:
    """The files of this session's draft `token`, or None (not this session's, or expired)."""
    if not token or token not in request.session.get(SESSION_KEY, []):
        return None
    return upload_draft_items(token)


def draft_items(request: HttpRequest, token: str) -> list[DraftItem]:
    """The kept files of this session's draft `token` (name, whether it has a thumbnail), or []."""
    return _items(request, token) or []


def draft_uploads(request: HttpRequest, token: str) -> list[UploadedFile]:
    """The kept files as uploads for the next submission (checked again by the pipeline there)."""
    uploads: list[UploadedFile] = []
    for item in _items(request, token) or []:
        data = upload_draft_read(token, str(item["file"]))
        if data is not None:
            uploads.append(SimpleUploadedFile(str(item["name"]), data))
    return uploads


def draft_thumbnail(request: HttpRequest, token: str, number: int) -> bytes | None:
    return upload_draft_read(token, f"{number}-kecil.jpg") if _items(request, token) is not None else None


def draft_discard(request: HttpRequest, token: str) -> None:
    if _items(request, token) is not None:
        upload_draft_delete(token)
    request.session[SESSION_KEY] = [t for t in request.session.get(SESSION_KEY, []) if t != token]
