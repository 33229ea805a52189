"""HTTP helpers: serving stored files (the one place that decides how an attachment reaches a
browser) and reading JSON that comes in or back over HTTP."""

from __future__ import annotations

import json
from typing import IO, Any, Protocol

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# Images are re-encoded by aduan.intake.uploads before they are stored, so they may be shown
# inline; anything else (a PDF may carry JavaScript) is only ever a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})
# One year: a stored file never changes under its URL.
PUBLIC_MAX_AGE = 365 * 24 * 3600


def file_response(file: IO[bytes], *, content_type: str, filename: str, public: bool = False) -> FileResponse:
    """A stored file as a response: inline only for our re-encoded images, a download otherwise;
    sandboxed (a document opened anyway runs no script and reaches no origin); never sniffed.
    `public` files (shown on public pages) are cached for a year, others by nobody."""
    inline = content_type in INLINE_TYPES
    response = FileResponse(file, content_type=content_type, as_attachment=not inline, filename=filename)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        f"public, max-age={PUBLIC_MAX_AGE}, immutable" if public else "private, no-store"
    )
    return response


class StoredAttachment(Protocol):
    """What attachment_response needs of aduan.intake.models.Attachment (core imports no app)."""

    file: FieldFile
    thumbnail: FieldFile
    name: str
    content_type: str


def attachment_response(
    item: StoredAttachment, *, shown_name: str, thumbnail: bool = False, public: bool = False
) -> FileResponse:
    """An attachment under the name the viewer may see, or its thumbnail (404 when it has none)."""
    if thumbnail:
        if not item.thumbnail:
            raise Http404
        stem = item.name.rsplit(".", 1)[0]
        return file_response(
            item.thumbnail.open("rb"), content_type="image/jpeg", filename=f"{stem}-kecil.jpg", public=public
        )
    return file_response(
        item.file.open("rb"), content_type=item.content_type, filename=shown_name, public=public
    )


def parse_json(raw: bytes | str) -> Any:
    """json.loads, with every way a body can fail to be JSON raised as ValueError: bad syntax,
    bytes that are not UTF-8 (UnicodeDecodeError is a ValueError) and nesting too deep for the
    parser (RecursionError, which is not)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None
