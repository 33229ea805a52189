from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan.core.roles import Role


class User(AbstractUser):
    """A person who signs in: a citizen with an account, or staff of some role and agency."""

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.CITIZEN)
    agency = models.ForeignKey(
        "directory.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(_("telepon"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    @property
    def is_staff_account(self) -> bool:
        """Staff: any role but citizen, or anyone who may open the Django admin."""
        return self.role != Role.CITIZEN or self.is_staff or self.is_superuser
