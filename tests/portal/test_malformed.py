"""Malformed offline drafts (/lapor/draf/) answer 4xx problems, never 500 (issue 12)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aduan.intake.models import Report
from tests.portal.conftest import csrf_client, form_data

pytestmark = pytest.mark.django_db
DEEP = b"[" * 50_000 + b"]" * 50_000


def post_draft(raw: bytes) -> Any:
    client, token = csrf_client()
    return client.post(
        "/lapor/draf/",
        data=raw,
        content_type="application/json",
        headers={"Idempotency-Key": "4f9d2c1e-8a7b-4c3d-9e0f-1a2b3c4d5e6f", "X-CSRFToken": token},
    )


def draft_body(**overrides: Any) -> bytes:
    body = {**form_data(), "consent": True, **overrides}
    return json.dumps(body).encode()


@pytest.mark.parametrize("field", ["title", "description", "kecamatan", "name"])
def test_a_draft_with_a_lone_surrogate_is_a_422(db: None, field: str) -> None:
    response = post_draft(draft_body(**{field: "x\ud800"}))
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid_characters" and field in problem["errors"]
    assert Report.objects.count() == 0


def test_a_draft_nested_too_deep_is_invalid_json(db: None) -> None:
    response = post_draft(DEEP)
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"


@pytest.mark.parametrize(
    "address",
    [
        "/lacak/2611-0000001%00/",
        "/laporan/?kecamatan=35.02.17%00",
        "/lapor/desa/?kecamatan=%00",
        "/laporan/2611%00/",
    ],
)
def test_nul_in_an_address_is_a_400_page(db: None, address: str) -> None:
    from django.test import Client

    response = Client().get(address)
    assert response.status_code == 400 and "NUL" in response.content.decode()
