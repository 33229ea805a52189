"""Which of a report's photos the public may see: the coordinator's decision, audited.

A photo is shown on public pages, the feed and Open311's media_url only once the coordinator has
marked it public (at verification or later on the report page). Each change is the next link of the
report's audit chain, written under the report's row lock like every lifecycle action.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.db.models import Q
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


# Only the report's own photos can be public: not a PDF, not an OPD's follow-up file. The query
# form (MARKABLE) and the form for a loaded attachment (photo_markable) state the same rule.
MARKABLE = Q(follow_up__isnull=True, content_type__startswith="image/")


def photo_markable(attachment: Attachment) -> bool:
    """MARKABLE, for an attachment already loaded."""
    return attachment.follow_up_id is None and attachment.content_type.startswith("image/")


def _coordinator_only(actor: Actor) -> None:
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied(
            _("Hanya admin koordinator yang dapat menampilkan foto ke publik."), code="role_not_allowed"
        )


def _report_lock(report_id: int) -> Report:
    # The report's lock orders this with every other write to its audit chain.
    report = Report.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("Laporan tidak ditemukan."), code="report_not_found")
    return report


def _public_set(actor: Actor, report: Report, attachment: Attachment, public: bool) -> ReportEvent | None:
    if attachment.is_public == public:
        return None
    attachment.is_public = public
    attachment.save(update_fields=["is_public"])
    return audit.record_audit_only(
        report=report,
        actor=actor,
        action=PHOTO_SHOWN if public else PHOTO_HIDDEN,
        data={"attachment": attachment.name},
        now=clock.now(),
    )


def attachment_public_set(
    *, actor: Actor, report_id: int, attachment_id: int, public: bool
) -> ReportEvent | None:
    """Mark one photo of a report public or not (coordinator only); None when nothing changed."""
    _coordinator_only(actor)
    with transaction.atomic():
        report = _report_lock(report_id)
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
        return _public_set(actor, report, attachment, public)


def photos_public_set(*, actor: Actor, report_id: int, public_ids: Collection[int]) -> list[ReportEvent]:
    """Each of a report's own photos public exactly when its id is in `public_ids` (coordinator
    only), under one lock; one audit event per photo that changed."""
    _coordinator_only(actor)
    with transaction.atomic():
        report = _report_lock(report_id)
        photos = Attachment.objects.filter(MARKABLE, report_id=report_id).order_by("pk")
        changed = (_public_set(actor, report, photo, photo.pk in public_ids) for photo in photos)
        return [event for event in changed if event is not None]
