"""Me-too support through the app, and tokens made in the Django admin."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from aduan.accounts.models import User
from aduan.api.models import ApiToken
from aduan.core.actors import actor_for_user
from tests.api.conftest import Api, is_problem
from tests.factories import KESEHATAN, act, submit

pytestmark = pytest.mark.django_db


def test_me_too_once_per_device(koordinator) -> None:  # type: ignore[no-untyped-def]
    report = submit().report
    is_problem(
        Api(device="device-support-01").post(f"/reports/{report.tracking_number}/support"),
        404,
        "report_not_found",
    )
    act(actor_for_user(koordinator), report, "verify", classification="aspirasi", category=KESEHATAN)
    one, two = Api(device="device-support-01"), Api(device="device-support-02")
    counts = [
        one.post(f"/reports/{report.tracking_number}/support").json()["support_count"],
        one.post(f"/reports/{report.tracking_number}/support").json()["support_count"],
        two.post(f"/reports/{report.tracking_number}/support").json()["support_count"],
    ]
    assert counts == [1, 1, 2]
    is_problem(Api().post(f"/reports/{report.tracking_number}/support"), 400, "device_id_required")


def test_admin_creates_a_token_and_shows_it_once(settings, koordinator) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "tests.api.admin_urls"
    User.objects.create_superuser("root", "root@example.org", "rahasia-123")
    browser = Client()
    browser.login(username="root", password="rahasia-123")
    response = browser.post(
        "/django-admin/api/apitoken/add/",
        {"user": koordinator.pk, "name": "SIMPUS", "channel": "api"},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.user == koordinator and token.name == "SIMPUS" and token.digest
    shown = [str(m) for m in get_messages(response.wsgi_request)] or [response.content.decode()]
    raw = next(word for text in shown for word in text.split() if word.startswith(token.prefix))
    settings.ROOT_URLCONF = "tests.api.urls"
    assert Api(token=raw.strip("<>.,\"'")).get("/reports").status_code == 200
