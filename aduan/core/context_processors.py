from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def installation(request: HttpRequest) -> dict[str, Any]:
    return {"INSTALLATION_NAME": settings.INSTALLATION_NAME, "SITE_URL": settings.SITE_URL}
