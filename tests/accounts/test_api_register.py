"""POST /api/v1/auth/register goes through accounts.services: same rules as the portal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.core.roles import Role
from tests.accounts.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_api_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")


def post(path: str, body: dict[str, Any]) -> Any:
    return Client().post(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def test_app_registration_uses_the_accounts_rules_and_works_on_the_portal() -> None:
    created = post(
        "/auth/register",
        {"username": "sari", "password": PASSWORD, "name": "Sari Dewi", "phone": "0857-1122-3344"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["username"] == "sari" and created.json()["token"].startswith("adn_")
    user = User.objects.get(username="sari")
    assert user.role == Role.CITIZEN and user.phone == "+6285711223344"

    # The same phone cannot make a second account, whichever door it comes through.
    again = post("/auth/register", {"username": "sari2", "password": PASSWORD, "phone": "085711223344"})
    assert again.status_code == 400 and again.json()["code"] == "phone_taken"
    assert again["Content-Type"] == "application/problem+json"
    bad_name = post("/auth/register", {"username": "0857 1122 3344", "password": PASSWORD})
    assert bad_name.status_code == 400 and bad_name.json()["code"] == "invalid_username"
    assert User.objects.filter(role=Role.CITIZEN).count() == 1

    # The app may sign in by phone too, and the same account opens the portal.
    login = post("/auth/login", {"username": "+62 857 1122 3344", "password": PASSWORD})
    assert login.status_code == 200 and login.json()["username"] == "sari"
    assert signed_in("085711223344").session["_auth_user_id"] == str(user.pk)
