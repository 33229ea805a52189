"""What arrived through SMS, email and WhatsApp: every inbound message is kept, with what became of it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    RECEIVED = "received", _("Diterima, belum diproses")
    REPORT_CREATED = "report_created", _("Laporan baru dibuat")
    STATUS_SENT = "status_sent", _("Status laporan dikirim")
    CLARIFICATION = "clarification", _("Jawaban klarifikasi diteruskan")
    CITIZEN_ACTION = "citizen_action", _("Tanggapan/penilaian pelapor diteruskan")
    HELP = "help", _("Petunjuk dikirim")
    REJECTED = "rejected", _("Ditolak (isi tidak valid)")
    INVALID_SENDER = "invalid_sender", _("Nomor/alamat pengirim tidak valid")
    IGNORED = "ignored", _("Diabaikan (balasan otomatis)")
    ERROR = "error", _("Galat; perlu diproses ulang oleh petugas")


class InboundMessage(models.Model):
    """One message a citizen sent on a text channel. Stored before anything else is done with it,
    so nothing accepted is lost; a gateway's retry (same gateway id) gets the same reply back."""

    channel = models.CharField(_("kanal"), max_length=20)
    gateway = models.CharField(
        _("gerbang"),
        max_length=30,
        help_text="webhook, gammu, imap, whatsapp… — gateway ids are unique per gateway",
    )
    gateway_id = models.CharField(_("id pesan di gerbang"), max_length=255, blank=True)
    sender = models.CharField(
        _("pengirim"), max_length=255, help_text="E.164 number or email address, as normalised"
    )
    sender_raw = models.CharField(_("pengirim (asli)"), max_length=255, blank=True)
    text = models.TextField(_("isi"), blank=True)
    received_at = models.DateTimeField(_("diterima"))
    processed_at = models.DateTimeField(_("diproses"), null=True, blank=True)
    outcome = models.CharField(_("hasil"), max_length=20, choices=Outcome.choices, default=Outcome.RECEIVED)
    error_code = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True, help_text="e.g. attachments that were refused")
    reply = models.TextField(_("balasan"), blank=True)
    report = models.ForeignKey(
        "intake.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_id"],
                condition=~Q(gateway_id=""),
                name="inbound_once_per_gateway_id",
            )
        ]
        indexes = [models.Index(fields=["sender", "received_at"]), models.Index(fields=["outcome"])]
        verbose_name = _("pesan masuk")
        verbose_name_plural = _("pesan masuk")

    def __str__(self) -> str:
        return f"{self.channel} {self.sender} {self.received_at:%Y-%m-%d %H:%M}"


class WebhookReceipt(models.Model):
    """A signature already accepted: the same signed request again is a replay and is refused.
    Rows older than the allowed clock skew are useless (stale requests are refused anyway) and pruned."""

    endpoint = models.CharField(max_length=30)
    signature = models.CharField(max_length=128)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "signature"], name="webhook_signature_once")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.received_at:%Y-%m-%d %H:%M:%S}"
