"""Which of a report's photos the public may see: the coordinator's decision, audited.

A photo is shown on public pages, the feed and Open311's media_url only once the coordinator has
marked it public (at verification or later on the report page). Each change is the next link of the
report's audit chain, written under the report's row lock like every lifecycle action.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from aduan.core import clock
from aduan.core.actors import Actor
from aduan.core.errors import InvalidInput, NotFound, PermissionDenied
from aduan.core.roles import Role
from aduan.intake.models import Attachment, Report
from aduan.workflow import audit
from aduan.workflow.models import ReportEvent

# The audit events (not transitions: the report's state does not change; labelled in
# workflow.transitions.AUDIT_ONLY_LABELS).
PHOTO_SHOWN = "photo_public"
PHOTO_HIDDEN = "photo_hidden"


def photo_markable(attachment: Attachment) -> bool:
    """Only the report's own photos can be public: not a PDF, not an OPD's follow-up file."""
    return attachment.follow_up_id is None and attachment.content_type.startswith("image/")


def attachment_public_set(
    *, actor: Actor, report_id: int, attachment_id: int, public: bool
) -> ReportEvent | None:
    """Mark one photo of a report public or not (coordinator only); None when nothing changed."""
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied(
            _("Hanya admin koordinator yang dapat menampilkan foto ke publik."), code="role_not_allowed"
        )
    with transaction.atomic():
        # The report's lock orders this with every other write to its audit chain.
        report = Report.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
        if report is None:
            raise NotFound(_("Laporan tidak ditemukan."), code="report_not_found")
        attachment = Attachment.objects.filter(pk=attachment_id, report_id=report_id).first()
        if attachment is None:
            raise NotFound(_("Lampiran tidak ditemukan."), code="attachment_not_found")
        if not photo_markable(attachment):
            raise InvalidInput(
                _(
                    "Hanya foto laporan (bukan PDF atau lampiran tindak lanjut) yang dapat ditampilkan ke publik."
                ),
                code="attachment_not_a_photo",
                field="attachment",
            )
        if attachment.is_public == public:
            return None
        attachment.is_public = public
        attachment.save(update_fields=["is_public"])
        event = audit.record_audit_only(
            report=report,
            actor=actor,
            action=PHOTO_SHOWN if public else PHOTO_HIDDEN,
            data={"attachment": attachment.name},
            now=clock.now(),
        )
    return event
