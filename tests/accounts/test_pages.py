"""The /akun/ pages through Django's test client with CSRF enforced, on the real database."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.core.actors import Actor
from aduan.core.roles import Role
from aduan.intake.models import Channel, Report, Reporter
from tests.accounts.conftest import PASSWORD, csrf_client, signed_in
from tests.factories import submit
from tests.portal.conftest import form_data

pytestmark = pytest.mark.django_db


def register_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Agus Salim",
        "phone": "0813 5500 6677",
        "email": "",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data.update(overrides)
    return data


def test_register_signs_in_and_lands_on_my_reports() -> None:
    client, token = csrf_client("/akun/daftar/")
    assert client.post("/akun/daftar/", register_data()).status_code == 403  # no CSRF token, no account
    response = client.post("/akun/daftar/", {**register_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/akun/"
    user = User.objects.get(phone="+6281355006677")
    assert user.role == Role.CITIZEN and user.get_full_name() == "Agus Salim"
    page = client.get("/akun/")
    html = page.content.decode()
    assert page.status_code == 200 and "Laporan saya" in html and "+6281355006677" in html
    assert "no-store" in page["Cache-Control"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "0812 3300 4455"}, "phone", "sudah terdaftar"),
        ({"phone": "", "email": "rina@example.org"}, "email", "sudah terdaftar"),
        ({"phone": "12345"}, "phone", "tidak valid"),
        ({"password": "1234567", "password_again": "1234567"}, "password", "terlalu pendek"),
        ({"password_again": "lain-lagi-99"}, "password_again", "tidak sama"),
        ({"phone": "", "email": ""}, "phone", "salah satu cukup"),
    ],
)
def test_register_errors_sit_next_to_the_field_and_keep_the_input(
    rina: User, overrides: dict[str, str], field: str, message: str
) -> None:
    client = Client()
    before = User.objects.count()
    response = client.post("/akun/daftar/", register_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert errors and message in errors.group(1), html
    assert 'value="Agus Salim"' in html  # what was typed stays
    assert re.search(
        rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', html
    )
    assert PASSWORD not in html  # but never the password
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session


def test_login_by_phone_or_email_and_logout(rina: User) -> None:
    by_phone = signed_in("0812 3300 4455")
    assert by_phone.session["_auth_user_id"] == str(rina.pk)
    by_email = signed_in("RINA@example.org")
    assert by_email.session["_auth_user_id"] == str(rina.pk)

    token = by_email.cookies["csrftoken"].value
    assert by_email.get("/akun/keluar/").status_code == 405  # sign-out is a POST
    out = by_email.post("/akun/keluar/", {"csrfmiddlewaretoken": token})
    assert out.status_code == 302 and out["Location"] == "/"
    assert "_auth_user_id" not in by_email.session
    after = by_email.get("/akun/")
    assert after.status_code == 302 and after["Location"].startswith("/akun/masuk/")


def test_wrong_password_is_refused_with_one_message(rina: User) -> None:
    client = Client()
    response = client.post("/akun/masuk/", {"identifier": "081233004455", "password": "salah-sandi-1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nomor HP/email atau kata sandi salah." in html and 'value="081233004455"' in html
    unknown = client.post("/akun/masuk/", {"identifier": "081299999999", "password": "salah-sandi-1"})
    assert "Nomor HP/email atau kata sandi salah." in unknown.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_next_only_goes_to_this_site(rina: User) -> None:
    client = Client()
    data = {"identifier": "081233004455", "password": PASSWORD}
    inside = client.post("/akun/masuk/", {**data, "next": "/lacak/"})
    assert inside["Location"] == "/lacak/"
    client = Client()
    outside = client.post("/akun/masuk/", {**data, "next": "https://jahat.example/"})
    assert outside["Location"] == "/akun/"


def test_login_attempts_are_limited_per_ip(rina: User) -> None:
    client = Client(REMOTE_ADDR="10.20.30.40")
    wrong = {"identifier": "081233004455", "password": "tebak-tebak-0"}
    statuses = [client.post("/akun/masuk/", wrong).status_code for _ in range(10)]
    assert statuses == [400] * 10
    # The 11th attempt is refused even with the right password, and nobody is signed in.
    blocked = client.post("/akun/masuk/", {**wrong, "password": PASSWORD})
    assert blocked.status_code == 429 and "Terlalu banyak percobaan" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.20.30.41").post("/akun/masuk/", {**wrong, "password": PASSWORD})
    assert other.status_code == 302


def test_staff_passwords_are_not_confirmed_here(koordinator: User) -> None:
    client = Client()
    response = client.post("/akun/masuk/", {"identifier": "koordinator", "password": "rahasia-123"})
    # The same answer as a wrong password (issue 13): this page must not confirm a staff password.
    assert (
        response.status_code == 400 and "Nomor HP/email atau kata sandi salah." in response.content.decode()
    )
    assert "_auth_user_id" not in client.session  # not signed in on the portal
    # A signed-in staff member opening the citizen's pages goes to the console too.
    client.force_login(koordinator)
    assert client.get("/akun/")["Location"] == "/konsol/"
    assert client.get("/akun/hapus/")["Location"] == "/konsol/"


def test_my_reports_lists_only_my_own(rina: User) -> None:
    other = User.objects.create_user(username="warga-lain", password=PASSWORD, role=Role.CITIZEN)
    mine = submit(actor=Actor(role=Role.CITIZEN, user=rina), title="Lampu jalan mati Jl. Pramuka").report
    theirs = submit(actor=Actor(role=Role.CITIZEN, user=other), title="Sampah menumpuk di pasar").report
    guest = submit(title="Laporan tanpa akun", phone="081233004455").report  # same phone, no account
    html = signed_in("rina@example.org").get("/akun/").content.decode()
    assert mine.tracking_number in html and "Lampu jalan mati Jl. Pramuka" in html
    assert f'href="/lacak/{mine.tracking_number}/"' in html
    assert mine.get_status_display() in html
    for not_mine in (theirs, guest):
        assert not_mine.tracking_number not in html and not_mine.title not in html


def test_report_sent_while_signed_in_is_linked_and_tracked_without_the_code(rina: User) -> None:
    client = signed_in("081233004455")
    token = client.cookies["csrftoken"].value
    client.get("/lapor/")
    response = client.post(
        "/lapor/", {**form_data(name="", phone="", email=""), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302, response.content[:3000]
    report = Report.objects.get()
    assert report.channel == Channel.WEB and report.reporter.user_id == rina.pk
    assert report.tracking_number in client.get("/akun/").content.decode()

    # A fresh sign-in (new session: no code proven in it) still opens the tracking page.
    fresh = signed_in("rina@example.org")
    detail = fresh.get(f"/lacak/{report.tracking_number}/")
    assert detail.status_code == 200 and report.title in detail.content.decode()
    # ...which stays closed to a visitor without the account or the code.
    assert Client().get(f"/lacak/{report.tracking_number}/").status_code == 404


def test_erase_needs_the_password_then_erases_and_signs_out(rina: User) -> None:
    report = submit(
        actor=Actor(role=Role.CITIZEN, user=rina),
        name="Rina Puspitasari",
        phone="081233004455",
        email="rina@example.org",
    ).report
    client = signed_in("081233004455")
    token = client.cookies["csrftoken"].value
    page = client.get("/akun/hapus/")
    assert page.status_code == 200 and "Hapus data saya" in page.content.decode()

    wrong = client.post(
        "/akun/hapus/", {"password": "bukan-sandinya", "understood": "on", "csrfmiddlewaretoken": token}
    )
    assert wrong.status_code == 400 and "Kata sandi salah." in wrong.content.decode()
    unchecked = client.post("/akun/hapus/", {"password": PASSWORD, "csrfmiddlewaretoken": token})
    assert unchecked.status_code == 400
    assert Reporter.objects.get(pk=report.reporter_id).name == "Rina Puspitasari"  # nothing erased yet

    done = client.post(
        "/akun/hapus/", {"password": PASSWORD, "understood": "on", "csrfmiddlewaretoken": token}
    )
    assert done.status_code == 302 and done["Location"] == "/"
    assert "_auth_user_id" not in client.session
    reporter = Reporter.objects.get(pk=report.reporter_id)
    assert (reporter.name, reporter.phone, reporter.email, reporter.nik) == ("", "", "", "")
    assert Report.objects.filter(pk=report.pk).exists()
    account = User.objects.get(pk=rina.pk)
    assert not account.is_active and account.phone == "" and account.email == ""
    refused = Client().post("/akun/masuk/", {"identifier": "081233004455", "password": PASSWORD})
    assert refused.status_code == 400
