"""Portal tests: private in-memory caches, so tracking rate limits never leak between tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client

from aduan.core import clock


@pytest.fixture(autouse=True)
def _private_cache(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # attachments of a test stay out of var/
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal-tests"},
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal-tests-rl",
        },
    }
    cache.clear()
    caches["ratelimit"].clear()
    yield
    cache.clear()
    caches["ratelimit"].clear()


def csrf_client() -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, with the token from the form page's cookie."""
    client = Client(enforce_csrf_checks=True)
    response = client.get("/lapor/")
    assert response.status_code == 200
    return client, client.cookies["csrftoken"].value


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "pengaduan",
        "title": "Jalan berlubang di depan SDN 1 Babadan",
        "description": "Lubang besar sejak dua minggu, sudah ada pengendara motor jatuh.",
        "incident_date": (clock.local_today() - dt.timedelta(days=3)).isoformat(),
        "kecamatan": "35.02.17",
        "desa": "",
        "address": "Jl. Soekarno-Hatta",
        "latitude": "",
        "longitude": "",
        "category": "",
        "name": "Budi Santoso",
        "phone": "081234567891",
        "email": "budi@example.org",
        "consent": "on",
    }
    data.update(overrides)
    return data
