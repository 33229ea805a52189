"""Erasing a reporter's personal data (UU 27/2022), on request or when retention has passed.

The report itself stays — a public record of the government's performance, counted in every
statistic by its kind, channel, category, kecamatan/desa, agency, states and times. What goes is what
points at the person: the reporter's name, phone, email and NIK and the link to their account, the
exact address and GPS point (often the reporter's home; the desa and kecamatan stay), the files they
attached, and their address on the messages kept beside the report (other apps register in
`forget_hooks`). The audit event that records an erasure is the lifecycle app's
(aduan.workflow.retention).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from aduan.intake.models import Attachment, Report, Reporter
from aduan.intake.uploads import attachment_files_delete

# Called with the ids of reports (keyword `report_ids`) whose reporter is being forgotten, inside the transaction: apps
# that keep the reporter's address beside a report (the notification outbox, the inbound SMS and
# email) blank it. Registered in their AppConfig.ready().
forget_hooks: list[Callable[..., object]] = []


ERASED_FIELDS = ("address", "latitude", "longitude")


def reporters_forget(*, report_ids: list[int]) -> None:
    """The reporter's address on the messages about these reports (every registered hook)."""
    for hook in forget_hooks:
        hook(report_ids=report_ids)


def report_personal_data_erase(report: Report) -> list[str]:
    """Erase everything on `report` (locked by the caller) that points at its reporter; returns what
    was erased, for the audit event. The caller saves the report's ERASED_FIELDS. Files leave the
    storage after commit (storage is not transactional: a rollback keeps rows and files together)."""
    erased = []
    if report.reporter_id is not None:
        Reporter.objects.filter(pk=report.reporter_id).update(name="", phone="", email="", nik="", user=None)
        erased.append("reporter")
    if report.address or report.latitude is not None or report.longitude is not None:
        report.address = ""
        report.latitude = report.longitude = None
        erased.append("location")
    # The citizen's own files; an agency's follow-up attachments are its answer and stay.
    files = list(Attachment.objects.filter(report=report, follow_up__isnull=True))
    if files:
        Attachment.objects.filter(pk__in=[a.pk for a in files]).delete()
        transaction.on_commit(lambda: attachment_files_delete(files), robust=True)
        erased.append(f"attachments:{len(files)}")
    reporters_forget(report_ids=[report.pk])
    return erased
