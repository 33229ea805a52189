"""Outbound webhooks: an agency's subscriptions to lifecycle events, and the deliveries (an outbox)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookSubscription(models.Model):
    """An agency's system that wants to hear of some lifecycle events of the reports it handles."""

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        verbose_name=_("instansi"),
    )
    url = models.URLField(_("alamat penerima"), max_length=2000)
    # A list of event types (aduan.webhooks.events.EVENT_TYPES).
    events = models.JSONField(_("peristiwa"), default=list)
    is_active = models.BooleanField(_("aktif"), default=True)
    description = models.CharField(_("keterangan"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        ordering = ["agency__name", "pk"]
        verbose_name = _("langganan webhook")
        verbose_name_plural = _("langganan webhook")

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.url}"


class WebhookDelivery(models.Model):
    """One event for one subscription; written in the transaction of the action, POSTed after
    commit by `aduan worker`. `message_id` is the delivery id the receiver applies once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("langganan")
    )
    event = models.ForeignKey(
        "workflow.ReportEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(
        "intake.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message_id = models.UUIDField(_("ID pesan"), default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("peristiwa"), max_length=40)
    # The exact bytes POSTed (UTF-8 JSON), fixed when written: every attempt sends the same body.
    body = models.TextField(_("isi"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("kode HTTP terakhir"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One delivery per event and subscription, whatever calls the hook twice.
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once_per_event")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("kiriman webhook")
        verbose_name_plural = _("kiriman webhook")

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.state})"
