"""The roles of DOMAIN.md §2."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Pelapor")
    COORDINATOR = "coordinator", _("Admin koordinator")
    OPD_ADMIN = "opd_admin", _("Admin penghubung (OPD)")
    LIAISON_OFFICER = "liaison_officer", _("Pejabat penghubung")
    APIP = "apip", _("APIP / Inspektorat")
    LEADER = "leader", _("Pimpinan")
    SYSTEM = "system", _("Sistem")


# Roles that work inside one agency and only see what was disposed to it.
AGENCY_ROLES = frozenset({Role.OPD_ADMIN, Role.LIAISON_OFFICER, Role.APIP})
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.OPD_ADMIN, Role.LIAISON_OFFICER, Role.APIP, Role.LEADER})
