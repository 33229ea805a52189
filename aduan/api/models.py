"""API tokens: a bearer secret that acts exactly as its user (staff, integration system or citizen)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan.intake.models import Channel


def token_digest(raw: str) -> str:
    # The token is 256 random bits, so a plain SHA-256 is enough (no salt or slow hash needed).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """Only the SHA-256 of the token is stored; the token itself is shown once when created."""

    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("awalan"), max_length=12, help_text=_("Awal token, untuk mengenalinya"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        _("nama"), max_length=100, help_text=_("Untuk apa token ini, mis. aplikasi SIMPUS")
    )
    channel = models.CharField(
        _("kanal"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.API,
        help_text=_("Kanal laporan yang dibuat dengan token ini"),
    )
    created_at = models.DateTimeField(_("dibuat"))
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked = models.BooleanField(_("dicabut"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
