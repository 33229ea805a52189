"""The outbox of messages to people, and the editable texts they are made from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    # Sent with the SMS template's text (a WhatsApp report's reporter gets WhatsApp, not SMS).
    WHATSAPP = "whatsapp", _("WhatsApp")


class MessageTemplate(models.Model):
    """The text of one kind of message on one channel, in Bahasa Indonesia, editable by an admin.

    Placeholders `{tracking_number}`, `{status}`, `{title}`, `{note}`, `{due}`, `{agency}`,
    `{access_code}`, `{url}`, `{level}`; or Django template syntax (`{{ tracking_number }}`,
    `{% if note %}`) when the text contains `{{` or `{%`.
    """

    key = models.CharField(
        _("kunci"), max_length=60, help_text=_("Mis. citizen.submitted, citizen.status, agency.disposed")
    )
    channel = models.CharField(_("kanal"), max_length=10, choices=MessageChannel.choices)
    subject = models.CharField(_("subjek (email)"), max_length=200, blank=True)
    body = models.TextField(_("isi pesan"))
    is_active = models.BooleanField(_("aktif"), default=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        ordering = ["key", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="message_template_key_channel")
        ]
        verbose_name = _("templat pesan")
        verbose_name_plural = _("templat pesan")

    def __str__(self) -> str:
        return f"{self.key} ({self.channel})"


class OutboundMessage(models.Model):
    """One message to one address; written in the transaction that decided it, sent after commit.

    The delivery state is kept apart from the report's state: a worker claims a due row, sends it
    outside any transaction, then records sent, or the next attempt with backoff, or failed.
    """

    class RecipientKind(models.TextChoices):
        CITIZEN = "citizen", _("Pelapor")
        AGENCY = "agency", _("Instansi (OPD)")
        COORDINATOR = "coordinator", _("Admin koordinator")

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    # Looked up through the (report, created_at) index below.
    report = models.ForeignKey(
        "intake.Report",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
        db_index=False,
    )
    event = models.ForeignKey(
        "workflow.ReportEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_messages",
    )
    template_key = models.CharField(_("templat"), max_length=60)
    recipient_kind = models.CharField(_("penerima"), max_length=20, choices=RecipientKind.choices)
    channel = models.CharField(_("kanal"), max_length=10, choices=MessageChannel.choices)
    to = models.CharField(_("alamat tujuan"), max_length=254)
    subject = models.CharField(_("subjek"), max_length=200, blank=True)
    body = models.TextField(_("isi"))
    # The access code in a confirmation: once the message has left, it is masked in the body.
    secret = models.CharField(max_length=40, blank=True, editable=False)
    # Makes writing the same message twice (a sweep run by two workers, a retried request) a no-op.
    dedupe_key = models.CharField(max_length=200, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    provider_id = models.CharField(_("ID penyedia"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    # The request (or the sweep run, "sweep-…") that wrote it (aduan/core/requestlog.py): the
    # worker's log lines about its delivery carry the same id. Null for what neither wrote.
    request_id = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 - no id is not ""

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~Q(dedupe_key=""), name="outbound_message_dedupe_once"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["report", "created_at"]),
        ]
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("pesan keluar")

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}: {self.template_key} ({self.state})"


class ContactOptOut(models.Model):
    """A phone number or e-mail address that asked for no more news about its reports.

    Kept per contact, not per report: "BERHENTI" by SMS speaks for the phone. The confirmation of a
    new report and a recovered access code are still sent (the person asked for those).
    """

    address = models.CharField(_("alamat"), max_length=254, unique=True)
    source = models.CharField(_("sumber"), max_length=20)
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        verbose_name = _("penolakan kabar")
        verbose_name_plural = _("penolakan kabar")

    def __str__(self) -> str:
        return self.address


class StaffPreference(models.Model):
    """How one officer wants to hear of their work: e-mail, the console's bell, or both."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    by_email = models.BooleanField(_("lewat email"), default=True)
    in_console = models.BooleanField(_("di konsol (lonceng)"), default=True)

    class Meta:
        verbose_name = _("preferensi pemberitahuan")
        verbose_name_plural = _("preferensi pemberitahuan")

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.by_email} console={self.in_console}"


class StaffNotice(models.Model):
    """One in-console notice to one officer (the bell); its text is the staff e-mail's subject."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="+", null=True)
    event = models.ForeignKey(
        "workflow.ReportEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_key = models.CharField(_("templat"), max_length=60)
    text = models.CharField(_("isi"), max_length=200)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("dibuat"))
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("pemberitahuan konsol")
        verbose_name_plural = _("pemberitahuan konsol")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text}"
