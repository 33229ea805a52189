"""Shared fixtures: the Ponorogo directory in the test database and named personas.

Personas (as in DOMAIN.md §2): `warga` the citizen, `koordinator` the Diskominfo coordinator,
`admin_dinkes` and `admin_pupr` two OPD admins (each must see nothing of the other's),
`pejabat_dinkes` the pejabat penghubung of Dinkes, `apip` the Inspektorat auditor, `pimpinan`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from aduan.accounts.models import User
from aduan.core.actors import Actor, actor_for_user
from aduan.core.roles import Role
from aduan.directory.models import Agency
from aduan.directory.ponorogo import ensure_ponorogo_directory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return f"aduan database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        ensure_ponorogo_directory()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    # PBKDF2 costs ~0.3 s per user; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings) -> None:  # type: ignore[no-untyped-def]
    # The "ratelimit" cache is files under the data dir: counters of earlier runs (of make run or
    # of tests) in the same window turned API posts of a later run into 429s. Each test counts
    # from zero in memory.
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests-rl"},
    }
    caches["ratelimit"].clear()


@pytest.fixture(autouse=True)
def _password_only_sign_in(request: pytest.FixtureRequest, settings) -> None:  # type: ignore[no-untyped-def]
    # Personas sign in with their password alone (force_login or the login form), so tests of
    # queues, pages and browsers need no authenticator. Tests of the second factor itself are
    # marked `second_factor` and keep the production rule (ADUAN_OTP_REQUIRED_ROLES, default
    # coordinator and Django-admin users), as does the check of that default.
    if request.node.get_closest_marker("second_factor") is None:
        settings.ADUAN_OTP_REQUIRED_ROLES = frozenset()


@pytest.fixture(autouse=True)
def _local_map_tiles(settings) -> None:  # type: ignore[no-untyped-def]
    # Tests never reach the internet: map tiles come from this site's own (missing) path, which
    # browser tests answer from a fixture (tests/portal/test_map_browser.py).
    settings.ADUAN_MAP_TILE_URL = "/uji-peta/{z}/{x}/{y}.png"


@pytest.fixture(autouse=True)
def _site_language() -> None:
    # A request made in English by an earlier test leaves English active in this thread.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    # A rolled-back test transaction sends no signal: start each test with the calendar re-read.
    from aduan.notifications.texts import clear_template_cache
    from aduan.sla.calendar import clear_caches

    clear_caches()
    clear_template_cache()


@pytest.fixture(autouse=True)
def _directory(request: pytest.FixtureRequest) -> None:
    # Transactional tests (live_server, django_db(transaction=True)) flush the database; put the
    # directory back for them.
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and bool(marker.kwargs.get("transaction"))
    if transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        ensure_ponorogo_directory()


def make_user(username: str, role: Role, agency_code: str | None = None, **extra: object) -> User:
    agency = Agency.objects.get(code=agency_code) if agency_code else None
    user = User.objects.create_user(
        username=username, password="rahasia-123", role=role, agency=agency, **extra
    )  # type: ignore[arg-type]
    return user


@pytest.fixture
def koordinator(db: None) -> User:
    return make_user("koordinator", Role.COORDINATOR, "diskominfo", first_name="Kabid", last_name="Aduan")


@pytest.fixture
def admin_dinkes(db: None) -> User:
    return make_user("admin-dinkes", Role.OPD_ADMIN, "dinkes")


@pytest.fixture
def admin_pupr(db: None) -> User:
    return make_user("admin-pupr", Role.OPD_ADMIN, "pupr")


@pytest.fixture
def pejabat_dinkes(db: None) -> User:
    return make_user("pejabat-dinkes", Role.LIAISON_OFFICER, "dinkes")


@pytest.fixture
def apip(db: None) -> User:
    return make_user("apip", Role.APIP, "inspektorat")


@pytest.fixture
def pimpinan(db: None) -> User:
    return make_user("pimpinan", Role.LEADER)


@pytest.fixture
def warga(db: None) -> User:
    return make_user("warga", Role.CITIZEN, first_name="Siti", last_name="Warga")


@pytest.fixture
def staff_with_email(koordinator: User, admin_dinkes: User, admin_pupr: User) -> dict[str, User]:
    """The coordinator and two OPD admins with email addresses, for tests of who is told what."""
    for user, email in (
        (koordinator, "koordinator@ponorogo.go.id"),
        (admin_dinkes, "admin@dinkes.test"),
        (admin_pupr, "admin@pupr.test"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    return {"koordinator": koordinator, "admin_dinkes": admin_dinkes, "admin_pupr": admin_pupr}


def as_actor(user: User) -> Actor:
    return actor_for_user(user)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download: /usr/bin/chromium)."""
    if not os.path.exists("/usr/bin/chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail("Debian chromium is not installed; `make test` installs it (apt package chromium)")
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
