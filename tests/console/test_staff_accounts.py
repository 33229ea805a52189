"""Staff accounts (issue 13, item 1): one throttled sign-in, no password oracle, a second factor,
sessions that end."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import aduan.settings
from aduan.console import conf
from aduan.core.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-123"
LOGIN = "/konsol/masuk/"


def sign_in(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password})


def code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):0{device.digits}d}"


def after_back_off(device: TOTPDevice) -> TOTPDevice:
    """django-otp makes a device wait 2^n seconds after n failures; the test does not sleep."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return device


# --- one sign-in, throttled, with no oracle ------------------------------------------------------


def test_the_django_admin_signs_in_through_the_console_only(client, koordinator) -> None:  # type: ignore[no-untyped-def]
    koordinator.is_staff = koordinator.is_superuser = True
    koordinator.save()
    response = client.get("/django-admin/")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"] == f"{LOGIN}?next=/django-admin/"
    # The admin's own form takes no passwords: a POST there signs nobody in.
    posted = client.post("/django-admin/login/", {"username": "koordinator", "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    # Through the console it works and leads back to the admin.
    signed = client.post(LOGIN, {"username": "koordinator", "password": PASSWORD, "next": "/django-admin/"})
    assert signed.status_code == 302 and signed["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_admin_password_guessing_is_throttled_like_the_console(client, settings, koordinator) -> None:  # type: ignore[no-untyped-def]
    koordinator.is_staff = koordinator.is_superuser = True
    koordinator.save()
    for _ in range(conf.LOGIN_FAILURES_PER_ACCOUNT):
        assert sign_in(client, "koordinator", "tebakan").status_code == 200
    right = client.post(LOGIN, {"username": "koordinator", "password": PASSWORD, "next": "/django-admin/"})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/django-admin/").status_code == 302


def test_the_app_login_answers_a_right_staff_password_like_a_wrong_one(koordinator) -> None:  # type: ignore[no-untyped-def]
    def attempt(password: str):  # type: ignore[no-untyped-def]
        return Client(REMOTE_ADDR="10.1.2.3").post(
            "/api/v1/auth/login",
            json.dumps({"username": "koordinator", "password": password}),
            content_type="application/json",
        )

    right, wrong = attempt(PASSWORD), attempt("salah-sekali")
    assert right.status_code == wrong.status_code == 401
    assert right.json() == wrong.json()
    assert right.json()["code"] == "invalid_credentials"


def test_the_citizen_login_answers_a_right_staff_password_like_a_wrong_one(koordinator) -> None:  # type: ignore[no-untyped-def]
    def attempt(password: str):  # type: ignore[no-untyped-def]
        client = Client(REMOTE_ADDR="10.1.2.4")
        return client, client.post("/akun/masuk/", {"identifier": "koordinator", "password": password})

    (right_client, right), (_, wrong) = attempt(PASSWORD), attempt("salah-sekali")
    assert right.status_code == wrong.status_code == 400
    assert "Nomor HP/email atau kata sandi salah." in right.content.decode()
    assert "_auth_user_id" not in right_client.session


# --- sessions ---------------------------------------------------------------------------------


def test_a_staff_session_ends_after_a_working_day(client, admin_dinkes, settings) -> None:  # type: ignore[no-untyped-def]
    assert aduan.settings.ADUAN_STAFF_SESSION_SECONDS == 8 * 3600  # the documented default
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert sign_in(client, "admin-dinkes").status_code == 302
        assert client.get(reverse("console:queue", kwargs={"key": "semua"})).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=59), tick=False):
        assert client.get(reverse("console:queue", kwargs={"key": "semua"})).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=8, minutes=1), tick=False):
        response = client.get(reverse("console:queue", kwargs={"key": "semua"}))
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_citizen_session_keeps_djangos_length(client, warga) -> None:  # type: ignore[no-untyped-def]
    client.force_login(warga)
    assert client.session.get_expiry_age() == 14 * 24 * 3600


def test_a_password_change_ends_the_other_sessions(admin_dinkes) -> None:  # type: ignore[no-untyped-def]
    office, home = Client(), Client()
    for browser in (office, home):
        assert sign_in(browser, "admin-dinkes").status_code == 302
    admin_dinkes.set_password("sandi-baru-2026")
    admin_dinkes.save()
    for browser in (office, home):
        response = browser.get(reverse("console:queue", kwargs={"key": "semua"}))
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- second factor ----------------------------------------------------------------------------


def test_the_default_rule_asks_the_coordinator_and_admin_users() -> None:
    # Read from the settings module as the environment left it (the suite's fixture changes only
    # django.conf.settings).
    assert aduan.settings.ADUAN_OTP_REQUIRED_ROLES == {"coordinator", "admin"}


@pytest.mark.second_factor
def test_coordinator_enrols_then_verifies_with_a_code_or_a_recovery_code(client, koordinator) -> None:  # type: ignore[no-untyped-def]
    queue = reverse("console:queue", kwargs={"key": "baru"})
    response = sign_in(client, "koordinator")
    assert response.status_code == 302
    # Every page, the console's and the admin's alike, waits for the second factor.
    for path in (queue, "/konsol/", "/django-admin/", "/laporan/"):
        stopped = client.get(path)
        assert stopped.status_code == 302 and stopped["Location"].startswith("/konsol/dua-langkah/"), path
    page = client.get("/konsol/dua-langkah/")
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    device = TOTPDevice.objects.get(user=koordinator, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url
    qr = client.get("/konsol/dua-langkah/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content

    assert client.post("/konsol/dua-langkah/", {"token": "000000"}).status_code == 400
    device = after_back_off(device)
    done = client.post("/konsol/dua-langkah/", {"token": code(device), "next": queue})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(c in done.content.decode() for c in codes)
    assert client.get(queue).status_code == 200
    # The codes are never shown again; the page now offers to replace the authenticator.
    again_page = client.get("/konsol/dua-langkah/")
    assert again_page.status_code == 200 and again_page.context["replacing"] is True
    assert codes[0] not in again_page.content.decode()
    assert "/konsol/dua-langkah/" in client.get(queue).content.decode()  # linked from the console

    # Next sign-in: the verification step; a wrong code, then the next authenticator code.
    client.post(reverse("console:logout"))
    again = Client()
    assert sign_in(again, "koordinator").status_code == 302
    stopped = again.get(queue)
    assert stopped["Location"] == f"/konsol/verifikasi/?next={queue.replace('/', '%2F')}"
    # The authenticator can't be swapped with a password alone.
    assert again.get("/konsol/dua-langkah/")["Location"].startswith("/konsol/verifikasi/")
    assert again.post("/konsol/verifikasi/", {"token": "123456"}).status_code == 400
    device = after_back_off(device)
    assert (
        again.post("/konsol/verifikasi/", {"token": code(device, drift=1), "next": queue})["Location"]
        == queue
    )
    assert again.get(queue).status_code == 200

    # A recovery code works once.
    for attempt, expected in ((1, 302), (2, 400)):
        browser = Client()
        sign_in(browser, "koordinator")
        answer = browser.post("/konsol/verifikasi/", {"token": codes[0]})
        assert answer.status_code == expected, attempt


@pytest.mark.second_factor
def test_wrong_codes_count_in_the_sign_in_throttle(client, koordinator) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "koordinator")
    client.get("/konsol/dua-langkah/")
    for _ in range(conf.LOGIN_FAILURES_PER_ACCOUNT):
        assert client.post("/konsol/dua-langkah/", {"token": "000000"}).status_code == 400
    assert client.post("/konsol/dua-langkah/", {"token": "000000"}).status_code == 429
    device = after_back_off(TOTPDevice.objects.get(user=koordinator))
    assert client.post("/konsol/dua-langkah/", {"token": code(device)}).status_code == 429


@pytest.mark.second_factor
def test_opd_admins_need_no_second_factor_unless_configured(client, settings, admin_dinkes) -> None:  # type: ignore[no-untyped-def]
    queue = reverse("console:queue", kwargs={"key": "semua"})
    sign_in(client, "admin-dinkes")
    assert client.get(queue).status_code == 200
    settings.ADUAN_OTP_REQUIRED_ROLES = frozenset({"coordinator", "opd_admin"})
    assert client.get(queue)["Location"].startswith("/konsol/dua-langkah/")
    # A pejabat of the same OPD is not in the list.
    pejabat = Client()
    make_user("pejabat-x", Role.LIAISON_OFFICER, "dinkes")
    sign_in(pejabat, "pejabat-x")
    assert pejabat.get(reverse("console:queue", kwargs={"key": "persetujuan"})).status_code == 200


@pytest.mark.second_factor
def test_a_citizen_account_is_never_asked(client, warga) -> None:  # type: ignore[no-untyped-def]
    client.force_login(warga)
    assert client.get("/akun/").status_code == 200
