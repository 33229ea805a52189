"""Account tests: private in-memory caches, so sign-in budgets never leak between tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from aduan.accounts.models import User
from aduan.accounts.services import citizen_register

PASSWORD = "kopi-tubruk-pagi-7"


@pytest.fixture(autouse=True)
def _private_caches(settings: Any) -> Any:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "accounts-tests"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "accounts-rl"},
    }
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture
def rina(db: None) -> User:
    """A citizen with an account (phone and email)."""
    return citizen_register(
        name="Rina Puspitasari", phone="0812-3300-4455", email="Rina@Example.org", password=PASSWORD
    )


def csrf_client(path: str = "/akun/masuk/") -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, with the token from a form page's cookie."""
    client = Client(enforce_csrf_checks=True)
    response = client.get(path)
    assert response.status_code == 200
    return client, client.cookies["csrftoken"].value


def signed_in(identifier: str, password: str = PASSWORD) -> Client:
    client, token = csrf_client()
    response = client.post(
        "/akun/masuk/", {"identifier": identifier, "password": password, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == "/akun/", response.content[:2000]
    return client
