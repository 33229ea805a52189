"""Telling people what happened. (Filled in by the back-office work: outbox, templates, delivery.)"""

from __future__ import annotations

from aduan.intake.models import Report


def notify_submitted(report: Report, access_code: str) -> None:
    """Queue the confirmation (tracking number and access code) to the reporter's phone/email.

    Call it inside the transaction that created the report; the messages leave after commit.
    """
    # Interface fixed now so the intake channels can call it; the outbox implements it.
    return None
