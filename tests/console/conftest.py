"""Console test helpers: a Django test client signed in as a persona."""

from __future__ import annotations

import pytest
from django.test import Client

from aduan.accounts.models import User


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Personas are created per test; PBKDF2 would cost most of each test's setup.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_ratelimit_cache(settings, request):  # type: ignore[no-untyped-def]
    # The sign-in budget lives in the shared "ratelimit" cache: give each test its own.
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        },
    }
