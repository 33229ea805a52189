"""API test helpers: a JSON client, tokens for the personas, rate limits off unless a test turns them on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.api.services import token_create

SMALLEST = {
    "kind": "pengaduan",
    "title": "Jalan berlubang",
    "description": "Lubang besar di Jl. Soekarno-Hatta.",
    "region": "35.02.17",
}


class Api:
    """django.test.Client speaking JSON to /api/v1, with optional bearer token and device id."""

    def __init__(self, token: str = "", device: str = "", ip: str = "127.0.0.1") -> None:
        self.client = Client(REMOTE_ADDR=ip)
        self.token = token
        self.device = device

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        if self.device:
            out.setdefault("X-Device-Id", self.device)
        return out

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post_multipart(self, path: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", data, headers=self._headers(headers))

    def get(self, path: str, headers: dict[str, str] | None = None, **query: Any) -> Any:
        return self.client.get(f"/api/v1{path}", query, headers=self._headers(headers))

    def act(
        self, tracking_number: str, action: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        return self.post(f"/reports/{tracking_number}/actions/{action}", body, headers)


def token_for(user: User, channel: str = "api") -> str:
    return token_create(user=user, name=f"test {user.username}", channel=channel)[1]


@pytest.fixture(autouse=True)
def _api_setup(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-tests"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-tests-rl"},
    }
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")


@pytest.fixture
def api(db: None) -> Api:
    return Api(device="test-device-0001")


def is_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status and code; return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"] and body["title"] and body["detail"]
    return body
