"""Peer installations, their agencies as we offer them, and the signed messages to and from them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    KABUPATEN_KOTA = "kabupaten_kota", _("Kabupaten/Kota")
    PROVINSI = "provinsi", _("Provinsi")
    KEMENTERIAN_LEMBAGA = "kementerian_lembaga", _("Kementerian/Lembaga")
    NASIONAL = "nasional", _("Nasional")


class Peer(models.Model):
    """Another Aduan installation (or a system speaking its protocol) we exchange reports with."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Aktif")
        DISABLED = "disabled", _("Dinonaktifkan")

    code = models.CharField(_("kode wilayah/instansi"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    level = models.CharField(_("tingkat"), max_length=30, choices=Level.choices)
    base_url = models.URLField(_("alamat dasar"), max_length=300, unique=True)
    public_key = models.CharField(_("kunci publik"), max_length=64)
    key_id = models.CharField(max_length=16, unique=True)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.ACTIVE)
    # The peer's top-level categories as its directory listed them at the last sync.
    categories = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.TextField(blank=True)
    sync_tried_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name = _("instalasi mitra")
        verbose_name_plural = _("instalasi mitra")

    def __str__(self) -> str:
        return self.name


class PeerAgency(models.Model):
    """A peer's agency, offered here as a local Agency row of kind `external` (so the dispose and
    return lists and routing handle it like any agency); forwarding to it sends the report there."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="agencies")
    remote_code = models.CharField(max_length=40)
    agency = models.OneToOneField("directory.Agency", on_delete=models.PROTECT, related_name="peer_link")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer", "remote_code"], name="peer_agency_once"),
        ]

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.remote_code}"


class Link(models.Model):
    """One report's conversation with one peer: outbound (we forwarded it) or inbound (the peer did).

    Both sides name the conversation by the origin's tracking number. Each side numbers the
    messages it sends (out_seq) and applies the other's strictly in order (in_seq: the last applied).
    """

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("Diteruskan ke mitra")
        INBOUND = "inbound", _("Diterima dari mitra")

    report = models.ForeignKey("intake.Report", on_delete=models.CASCADE, related_name="federation_links")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="links")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    origin_tracking_number = models.CharField(max_length=20)
    remote_tracking_number = models.CharField(max_length=20, blank=True)
    # What came with the forward: the agency it was meant for, the sender's note and classification.
    context = models.JSONField(default=dict, blank=True)
    out_seq = models.PositiveIntegerField(default=0)
    in_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["peer", "direction", "origin_tracking_number"], name="link_one_conversation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin_tracking_number} {self.direction} {self.peer_id}"


class OutboxMessage(models.Model):
    """A signed message to a peer: written in the action's transaction, sent after commit by the
    worker, in `seq` order per link, retried with backoff, `failed` after too many attempts."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    message_id = models.CharField(max_length=64, unique=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="outbox")
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="outbox")
    type = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    body = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["link", "seq"], name="outbox_seq_once_per_link")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="fed_outbox_due")
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq} → {self.peer_id} ({self.state})"


class ReceivedMessage(models.Model):
    """A message a peer sent us, applied once: its id is unique per peer, so a retry or a replay
    of it is answered without applying it again."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="received")
    message_id = models.CharField(max_length=64)
    type = models.CharField(max_length=40)
    seq = models.PositiveIntegerField()
    origin_tracking_number = models.CharField(max_length=20)
    # What applying it did: {"applied": true} or the domain refusal's code.
    result = models.JSONField(default=dict)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "message_id"], name="received_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} from {self.peer_id}"
