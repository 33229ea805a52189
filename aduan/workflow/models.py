"""What happens to a report: the audit trail, dispositions, follow-ups, replies, returns, ratings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aduan.core.roles import Role
from aduan.intake.models import Status

if TYPE_CHECKING:
    from aduan.intake.models import Report


class ReportEvent(models.Model):
    """One audited action on a report: who (user, role, agency), what, from which state to which.

    Each is a link of its report's hash chain (aduan/workflow/audit.py): never updated or deleted."""

    # Looked up through the unique (report, seq) index below.
    report = models.ForeignKey(
        "intake.Report", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    # PROTECT: the hash covers who acted, so a user or agency in the audit trail is deactivated,
    # never deleted (SET_NULL would rewrite the trail, and `aduan audit verify` would say so).
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20, choices=Role.choices)
    actor_agency = models.ForeignKey(
        "directory.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    # Shown on the citizen's timeline; internal notes and staff-only steps are not.
    is_public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)
    # The hash chain (aduan/workflow/audit.py): position in the report's chain from 1, the
    # predecessor's hash (the report's anchor for the first), this event's own hash.
    seq = models.PositiveIntegerField(default=0)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["action", "created_at"])]
        constraints = [
            # One event per position: two writers can never fork a report's chain.
            models.UniqueConstraint(fields=["report", "seq"], name="reportevent_seq_once_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.from_status}→{self.to_status}"

    # Actions whose note is written for the citizen (the question, the answer, the reason);
    # other notes are staff remarks and stay off public pages even when the event is public.
    CITIZEN_FACING_NOTES = frozenset(
        {
            "hold",
            "resume",
            "dispose",
            "redispose",
            "follow_up",
            "reply",
            "reopen",
            "close",
            "auto_close",
            "expire_hold",
            "mark_duplicate",
            "forward",
            "forward_update",
        }
    )

    @property
    def public_note(self) -> str:
        return self.note if self.is_public and self.action in self.CITIZEN_FACING_NOTES else ""


class Disposition(models.Model):
    """A report given to an agency: one lead, any number of supporting agencies."""

    class State(models.TextChoices):
        NEW = "new", _("Baru")
        ACCEPTED = "accepted", _("Diterima")
        FOLLOWED_UP = "followed_up", _("Ditindaklanjuti")
        RETURNED = "returned", _("Dikembalikan (bukan kewenangan)")
        WITHDRAWN = "withdrawn", _("Ditarik (disposisi ulang)")
        DONE = "done", _("Selesai")

    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="dispositions")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="dispositions")
    is_lead = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    instruction = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_lead", "created_at"]
        constraints = [
            # Two OPDs never both hold the lead on one report (DOMAIN.md §3).
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(is_lead=True, is_active=True),
                name="disposition_one_active_lead",
            ),
            models.UniqueConstraint(
                fields=["report", "agency"], condition=Q(is_active=True), name="disposition_agency_once"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "is_active"]),
            # An OPD's queue counts start from its own dispositions in the queue's state
            # (console.queues.queue_count_reports), never from other OPDs' reports (issue 16).
            models.Index(
                fields=["agency", "state", "report"],
                condition=Q(is_active=True),
                name="disposition_agency_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.agency_id}{' (lead)' if self.is_lead else ''}"


class FollowUp(models.Model):
    """An agency's answer: drafted, approved by the pejabat penghubung where required, published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        APPROVED = "approved", _("Disetujui")
        SENT_BACK = "sent_back", _("Dikembalikan untuk diperbaiki")
        PUBLISHED = "published", _("Dipublikasikan")

    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="follow_ups")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="follow_ups")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    # The text with personal data masked (aduan.intake.redaction), derived when it is published;
    # the public report page reads it through PublicFollowUp.
    public_text = models.TextField(blank=True)
    is_public = models.BooleanField(
        default=True, help_text="Public follow-ups reach the citizen; internal ones do not"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.agency_id} {self.state}"

    @property
    def display_text(self) -> str:
        return self.text

    def derive_public_text(self, report: Report) -> set[str]:
        """Mask personal data (the report's reporter's own record included); the fields to save."""
        from aduan.intake.redaction import mask_personal_data, own_data_of

        own = own_data_of(report.reporter) if report.reporter_id else None
        self.public_text = mask_personal_data(self.text, own)
        return {"public_text"}


class PublicFollowUp(FollowUp):
    """A published follow-up as anyone may see it: display_text is the masked text."""

    class Meta:
        proxy = True

    @property
    def display_text(self) -> str:
        if not self.public_text and self.text:
            # Derived at publication; a row written some other way is masked here rather than shown.
            self.derive_public_text(self.report)
        return self.public_text


class CitizenMessage(models.Model):
    """What the citizen wrote after submitting: a clarification answer, a reply, a reopen reason."""

    class Kind(models.TextChoices):
        CLARIFICATION = "clarification", _("Jawaban klarifikasi")
        REPLY = "reply", _("Tanggapan")
        REOPEN = "reopen", _("Alasan membuka kembali")

    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="citizen_messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class AgencyReturn(models.Model):
    """A *bukan kewenangan* declaration: never a dead end, it lands on the coordinator's queue."""

    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="agency_returns")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="returns")
    proposed_agency = models.ForeignKey(
        "directory.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} ← {self.agency_id}"


class Rating(models.Model):
    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.score}/5"


class Forwarding(models.Model):
    """A report forwarded to an agency of another installation (a peer: province, ministry,
    national). While it is active that installation is responsible, and what it tells us back
    (its public state, its follow-ups) is mirrored here; aduan.federation carries the messages."""

    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="forwardings")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="forwardings")
    is_active = models.BooleanField(default=True)
    # The receiver's public state of its copy (a Status value) and its own tracking number.
    remote_status = models.CharField(max_length=30, blank=True, choices=Status.choices)
    remote_tracking_number = models.CharField(max_length=20, blank=True)
    # The installation that holds it, by name (set by aduan.federation), for the evaluation.
    destination = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Exactly one installation is responsible: one active forwarding per report.
            models.UniqueConstraint(
                fields=["report"], condition=Q(is_active=True), name="forwarding_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ⇒ {self.agency_id}"
