"""Serving a stored upload to someone the caller has already checked may see it."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse


def attachment_response(item: Any) -> FileResponse:
    """An Attachment inline, never cached by a proxy, never sniffed into another type."""
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.original_name)
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline", 1)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
