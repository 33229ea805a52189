"""Turning a valid report form into a report: intake's services, exactly once per client id."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import transaction

from aduan.core.actors import Actor
from aduan.intake.idempotency import fingerprint, run_once
from aduan.intake.services import report_submit_with_files
from aduan.intake.uploads import CheckedFile, attachment_files_guard
from aduan.notifications.services import notify_submitted

IDEMPOTENCY_SCOPE = "pwa"


def valid_client_id(raw: str | None) -> str:
    """The client-generated UUID of a form or offline draft, or "" when absent or malformed."""
    try:
        return str(uuid.UUID(str(raw or "").strip()))
    except ValueError:
        return ""


def submit_report(
    *,
    actor: Actor,
    fields: dict[str, Any],
    files: list[CheckedFile],
    client_id: str = "",
) -> tuple[dict[str, Any], bool]:
    """Create the report with its attachments and queue the confirmation, all in one transaction.

    `files` are the uploads as aduan.intake.uploads.uploads_check returned them, checked before
    (outside any transaction): a refused file stops the report before anything is written. A
    failure rolls the whole report back (nothing half-stored); the caller shows the form again
    with the text kept. With a client id (the web form's and the offline draft's UUID) the first
    answer is replayed to a retry instead of creating a second report. Returns (answer, replayed).
    """

    def produce() -> tuple[int, dict[str, Any]]:
        with transaction.atomic():
            submitted = report_submit_with_files(
                actor=actor, channel="web", files=files, stored=saved, **fields
            )
            notify_submitted(submitted.report, submitted.access_code)
        return 201, {
            "tracking_number": submitted.report.tracking_number,
            "access_code": submitted.access_code,
        }

    # Both the form and the draft endpoint fingerprint the same text fields, so a draft re-sent
    # after its form POST got through (but the answer was lost) is recognised as the same request.
    body = json.dumps(fields, sort_keys=True, default=str).encode()
    # run_once's transaction rolls back inside the guard; files already written to storage go too.
    with attachment_files_guard() as saved:
        outcome = run_once(
            scope=IDEMPOTENCY_SCOPE, key=client_id, request_fingerprint=fingerprint(body), produce=produce
        )
    return outcome.body, outcome.replayed
