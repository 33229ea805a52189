"""Installable app and offline drafts sent exactly once."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from aduan.intake.models import Channel, Report
from tests.portal.conftest import csrf_client, form_data

pytestmark = pytest.mark.django_db


def draft(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {k: v for k, v in form_data().items()}
    data.update({"consent": True, "anonymous": False, "confidential": False})
    data.update(overrides)
    return data


def post_draft(client: Client, token: str, key: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(
        "/lapor/draf/",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key, "X-CSRFToken": token},
    )


def test_manifest_and_icons() -> None:
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    assert (
        manifest["start_url"] == "/"
        and manifest["display"] == "standalone"
        and manifest["theme_color"] == "#0b5394"
    )
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert isinstance(path, str)
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    assert 'rel="manifest" href="/manifest.webmanifest"' in Client().get("/").content.decode()


def test_service_worker_is_served_from_the_root_and_keeps_the_form() -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    assert '"/lapor/"' in script and "/static/aduan/css/app.css" in script and "/lacak/" not in script


def test_draft_is_created_exactly_once_per_key() -> None:
    client, token = csrf_client()
    key = str(uuid.uuid4())
    first = post_draft(client, token, key, draft(title="Draf luring: lampu mati"))
    assert first.status_code == 201, first.content
    again = post_draft(client, token, key, draft(title="Draf luring: lampu mati"))
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["tracking_number"] == first.json()["tracking_number"]
    assert again.json()["access_code"] == first.json()["access_code"]
    report = Report.objects.get()
    assert report.channel == Channel.WEB and report.check_access_code(first.json()["access_code"])
    # The session now holds the proof: the tracking page opens without the code.
    assert client.get(f"/lacak/{report.tracking_number}/").status_code == 200

    other = post_draft(client, token, key, draft(title="Teks lain dengan kunci yang sama"))
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Report.objects.count() == 1


def test_draft_endpoint_checks_csrf_key_and_input() -> None:
    client, token = csrf_client()
    no_csrf = client.post(
        "/lapor/draf/",
        data=json.dumps(draft()),
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert no_csrf.status_code == 403
    no_key = client.post(
        "/lapor/draf/",
        data=json.dumps(draft()),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert no_key.status_code == 400 and no_key.json()["code"] == "idempotency_key_required"
    invalid = post_draft(client, token, str(uuid.uuid4()), draft(title="", consent=False))
    assert invalid.status_code == 422 and {"title", "consent"} <= set(invalid.json()["errors"])
    assert not Report.objects.exists()


def test_form_post_then_draft_with_the_same_client_id_is_one_report() -> None:
    """The form got through but its answer was lost; the device re-sends the draft: no second report."""
    client, token = csrf_client()
    key = str(uuid.uuid4())
    response = client.post("/lapor/", {**form_data(), "client_id": key, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    number = Report.objects.get().tracking_number
    again = post_draft(client, token, key, draft())
    assert again.status_code == 200 and again.json()["tracking_number"] == number
    assert Report.objects.count() == 1
