"""Access-code recovery ("Lupa kode akses?"): a new code to a contact the reporter gave.

The caller learns nothing from the outcome: whether the tracking number exists and whether the
contact is the reporter's, it gets the same answer (the interface shows one message, and keeps the
same pace). Only the reporter's own phone or e-mail ever receives the new code, so knowing a
tracking number and guessing a contact gains an attacker nothing but a message to the reporter.
"""

from __future__ import annotations

from django.db import transaction

from aduan.core.actors import SYSTEM
from aduan.core.errors import InvalidInput
from aduan.intake.models import Channel, Report
from aduan.intake.services import new_access_code, normalize_phone
from aduan.notifications.services import access_code_messages
from aduan.workflow.services import report_act


def contact_normalize(raw: str) -> str:
    """A typed contact as it is stored: an e-mail address in lower case, a phone number in E.164
    ("" when it is neither)."""
    raw = (raw or "").strip()
    if "@" in raw:
        return raw.lower()
    try:
        return normalize_phone(raw)
    except InvalidInput:
        return ""


def _contact_of(report: Report, contact: str) -> tuple[str, str] | None:
    reporter = report.reporter
    if reporter is None or not contact:
        return None
    if "@" in contact:
        emails = {(reporter.email or "").strip().lower()}
        if reporter.user is not None:
            emails.add((reporter.user.email or "").strip().lower())
        return ("email", contact) if contact in emails - {""} else None
    if reporter.phone and reporter.phone == contact:
        return ("whatsapp" if report.channel == Channel.WHATSAPP else "sms", contact)
    return None


def access_code_recover(*, tracking_number: str, contact: str) -> bool:
    """If `contact` (as typed) is the phone or e-mail the reporter of `tracking_number` gave, replace the
    report's access code and send the new one there (audited as `reset_access_code`). Returns
    whether it did: for tests and logs only, never for the person asking."""
    new_code = new_access_code()  # drawn either way: both paths do the same work up to the match
    contact = contact_normalize(contact)
    report = (
        Report.objects.select_related("reporter", "reporter__user")
        .filter(tracking_number=tracking_number)
        .first()
    )
    target = _contact_of(report, contact) if report is not None else None
    if report is None or target is None:
        return False
    with transaction.atomic():
        event = report_act(
            actor=SYSTEM,
            report_id=report.pk,
            action="reset_access_code",
            params={"access_code": new_code, "sent_to": target[0]},
        )
        access_code_messages(report=report, event=event, access_code=new_code, to=[target])
    return True
