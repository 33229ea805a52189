"""Who may open what in the console (issue 4, Access): enforced by the selectors, seen over HTTP."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from aduan.core.roles import Role
from aduan.intake.models import Classification, Status
from tests.conftest import as_actor, make_user
from tests.factories import PUPR, act, attach, disposed, submit

pytestmark = pytest.mark.django_db

SECRET_NAME = "Rahmawati Kusumaningrum"
SECRET_PHONE = "081398765432"
SECRET_EMAIL = "rahma.rahasia@example.org"
SECRET_NIK = "3502171204880007"


def report_url(report, name="console:report", **kw):
    return reverse(name, kwargs={"tracking_number": report.tracking_number, **kw})


def anonymous_report(koordinator, lead="dinkes", **kw):
    return disposed(
        as_actor(koordinator),
        lead=lead,
        anonymous=True,
        name=SECRET_NAME,
        phone=SECRET_PHONE,
        email=SECRET_EMAIL,
        nik=SECRET_NIK,
        **kw,
    )


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("console:queue", kwargs={"key": "baru"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))


def test_login_page_and_sign_in_sends_staff_to_their_queue(client, koordinator, admin_dinkes, pejabat_dinkes):
    assert client.get(reverse("console:login")).status_code == 200
    response = client.post(reverse("console:login"), {"username": "koordinator", "password": "rahasia-123"})
    assert response.status_code == 302
    assert client.get(reverse("console:home")).url == reverse("console:queue", kwargs={"key": "baru"})
    client.post(reverse("console:logout"))
    assert client.get(reverse("console:home")).status_code == 302
    client.force_login(pejabat_dinkes)
    assert client.get(reverse("console:home")).url == reverse("console:queue", kwargs={"key": "persetujuan"})


def test_wrong_password_stays_on_login(client, koordinator):
    response = client.post(reverse("console:login"), {"username": "koordinator", "password": "salah"})
    assert response.status_code == 200
    assert "alert-error" in response.content.decode()


def test_citizen_account_gets_403_everywhere(login, warga, koordinator):
    report = submit(actor=as_actor(warga)).report
    client = login(warga)
    assert client.get(reverse("console:home")).status_code == 403
    assert client.get(reverse("console:queue", kwargs={"key": "semua"})).status_code == 403
    assert client.get(report_url(report)).status_code == 403
    assert client.post(report_url(report, "console:act", action="verify"), {}).status_code == 403


def test_opd_admin_cannot_list_open_or_act_on_another_opds_report(
    login, koordinator, admin_dinkes, admin_pupr
):
    report = disposed(as_actor(koordinator), lead="dinkes")
    client = login(admin_pupr)
    for key in ("semua", "baru", "diproses"):
        html = client.get(reverse("console:queue", kwargs={"key": key})).content.decode()
        assert report.tracking_number not in html
    searched = client.get(reverse("console:queue", kwargs={"key": "semua"}), {"q": report.tracking_number})
    assert report_url(report) not in searched.content.decode()
    assert "Tidak ada laporan yang cocok" in searched.content.decode()
    assert client.get(report_url(report)).status_code == 403
    for action in ("accept", "follow_up", "return", "complete"):
        response = client.post(
            report_url(report, "console:act", action=action),
            {"text": "x", "reason": "x", "proposed_agency": "dinsos"},
        )
        assert response.status_code == 403, action
    report.refresh_from_db()
    assert report.status == Status.TERDISPOSISI
    assert report.events.count() == 3  # submit, verify, dispose: nothing from admin_pupr
    # The owner sees it.
    assert login(admin_dinkes).get(report_url(report)).status_code == 200


def test_unknown_report_is_404(login, koordinator):
    assert (
        login(koordinator)
        .get(reverse("console:report", kwargs={"tracking_number": "9999-000000"}))
        .status_code
        == 404
    )


def test_opd_never_sees_an_anonymous_reporters_identity(login, koordinator, admin_dinkes, warga):
    report = anonymous_report(koordinator)
    client = login(admin_dinkes)
    pages = [
        client.get(reverse("console:queue", kwargs={"key": key})).content.decode()
        for key in ("semua", "baru")
    ] + [client.get(report_url(report)).content.decode()]
    assert report.tracking_number in pages[0]
    for html in pages:
        for secret in (
            SECRET_NAME,
            SECRET_PHONE,
            "+6281398765432",
            SECRET_EMAIL,
            SECRET_NIK,
            SECRET_NIK[-4:],
        ):
            assert secret not in html
    assert "Identitas pelapor dilindungi" in pages[-1]
    # The coordinator sees the reporter, with the NIK masked but for its last 4 digits.
    html = login(koordinator).get(report_url(report)).content.decode()
    assert SECRET_NAME in html and SECRET_EMAIL in html
    assert SECRET_NIK not in html and SECRET_NIK[-4:] in html


def test_anonymous_citizen_account_name_is_not_in_the_opd_timeline(login, koordinator, admin_dinkes, warga):
    report = submit(actor=as_actor(warga), anonymous=True, name="", phone="", email="").report
    report = act(
        as_actor(koordinator), report, "verify", classification=Classification.ASPIRASI, category="kesehatan"
    )
    act(as_actor(koordinator), report, "dispose", lead="dinkes")
    html = login(admin_dinkes).get(report_url(report)).content.decode()
    assert "Siti Warga" not in html and "Siti" not in html


def test_opd_cannot_archive_or_close(login, koordinator, admin_dinkes):
    report = disposed(as_actor(koordinator), lead="dinkes")
    client = login(admin_dinkes)
    html = client.get(report_url(report)).content.decode()
    assert "aksi/archive/" not in html and "aksi/close/" not in html and "aksi/redispose/" not in html
    assert "aksi/accept/" in html and "aksi/return/" in html
    assert (
        client.post(report_url(report, "console:act", action="archive"), {"reason": "spam"}).status_code
        == 403
    )
    assert client.post(report_url(report, "console:act", action="close"), {"reason": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.status == Status.TERDISPOSISI


def test_supporting_opd_sees_the_report_but_cannot_return_or_complete(login, koordinator, admin_pupr):
    report = disposed(as_actor(koordinator), lead="dinkes", supporting=["pupr"])
    client = login(admin_pupr)
    html = client.get(report_url(report)).content.decode()
    assert "aksi/return/" not in html and "aksi/complete/" not in html
    response = client.post(
        report_url(report, "console:act", action="return"), {"reason": "x", "proposed_agency": "dinsos"}
    )
    assert response.status_code == 403


def test_apip_sees_berkadar_pengawasan_reports_disposed_to_inspektorat(login, koordinator, apip):
    coordinator = as_actor(koordinator)
    berkadar = disposed(
        coordinator,
        lead="pupr",
        supporting=["inspektorat"],
        classification=Classification.BERKADAR_PENGAWASAN,
        category=PUPR,
        title="Pungutan liar izin bangunan",
    )
    other = disposed(coordinator, lead="pupr", category=PUPR, title="Jalan berlubang di Jetis")
    client = login(apip)
    html = client.get(reverse("console:queue", kwargs={"key": "semua"})).content.decode()
    assert berkadar.tracking_number in html and other.tracking_number not in html
    assert client.get(report_url(berkadar)).status_code == 200
    assert client.get(report_url(other)).status_code == 403


def test_pimpinan_reads_everything_but_every_post_is_refused(login, koordinator, pimpinan):
    fresh = submit().report
    report = disposed(as_actor(koordinator), lead="dinkes")
    client = login(pimpinan)
    html = client.get(reverse("console:queue", kwargs={"key": "semua"})).content.decode()
    assert fresh.tracking_number in html and report.tracking_number in html
    page = client.get(report_url(fresh)).content.decode()
    assert "aksi/" not in page and "baca saja" in page
    # Pimpinan reads reports, not the reporters' identities (reporter_visible_to decides).
    assert "Siti Aminah" not in page and "siti@example.org" not in page
    for target, action, data in [
        (fresh, "verify", {"classification": "aspirasi", "category_top": "kesehatan"}),
        (fresh, "archive", {"reason": "spam"}),
        (report, "redispose", {"lead": "pupr"}),
        (report, "close", {"reason": "x"}),
        (report, "follow_up", {"text": "x"}),
    ]:
        assert client.post(report_url(target, "console:act", action=action), data).status_code == 403
    assert client.post(reverse("console:bulk"), {"report": [fresh.tracking_number]}).status_code == 403
    fresh.refresh_from_db()
    assert fresh.status == Status.BELUM_TERVERIFIKASI


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def test_attachments_are_served_only_to_who_may_open_the_report(
    login, koordinator, admin_dinkes, admin_pupr, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = disposed(as_actor(koordinator), lead="dinkes")
    item = attach(report, _png(), "foto.png")
    url = report_url(report, "console:attachment", pk=item.pk)
    response = login(admin_dinkes).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == item.content_type
    assert b"".join(response.streaming_content)[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")
    assert login(admin_pupr).get(url).status_code == 403
    assert url in login(koordinator).get(report_url(report)).content.decode()


def test_agency_account_without_agency_is_refused(login):
    orphan = make_user("yatim", Role.OPD_ADMIN)
    assert login(orphan).get(reverse("console:home")).status_code == 403


def test_only_the_coordinator_reads_the_original_text(login, koordinator, admin_dinkes, pimpinan):
    original = "Petugas loket bernama Budi Santoso meminta uang Rp50.000 di Puskesmas Babadan."
    report = submit(title="Pungli oleh Budi Santoso", description=original).report
    coordinator = as_actor(koordinator)
    act(
        coordinator,
        report,
        "verify",
        classification=Classification.TIDAK_BERKADAR_PENGAWASAN,
        category="kesehatan",
        title="Pungutan di loket puskesmas",
        text="Petugas loket meminta uang Rp50.000 di Puskesmas Babadan.",
    )
    act(coordinator, report, "dispose", lead="dinkes")
    assert "Budi Santoso" in login(koordinator).get(report_url(report)).content.decode()
    for user in (admin_dinkes, pimpinan):
        html = login(user).get(report_url(report)).content.decode()
        assert "Petugas loket meminta uang" in html and "Budi Santoso" not in html
    assert (
        "Budi Santoso"
        not in login(admin_dinkes).get(reverse("console:queue", kwargs={"key": "semua"})).content.decode()
    )


def test_expired_session_during_htmx_poll_reloads_the_page(client):
    response = client.get(reverse("console:tabs"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true" and not response.content


def test_sign_in_is_throttled_after_repeated_failures(client, koordinator, settings):
    from aduan.console import conf

    settings.DEBUG = False
    login_url = reverse("console:login")
    for _ in range(conf.LOGIN_FAILURES_PER_ACCOUNT):
        assert client.post(login_url, {"username": "koordinator", "password": "tebakan"}).status_code == 200
    # Now even the right password is refused for this account from this address, with a clear message.
    response = client.post(login_url, {"username": "koordinator", "password": "rahasia-123"})
    assert response.status_code == 429 and "Terlalu banyak percobaan" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address still signs in.
    other = make_user("koordinator2", Role.COORDINATOR, "diskominfo")
    assert client.post(login_url, {"username": other.username, "password": "rahasia-123"}).status_code == 302
