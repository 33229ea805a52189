"""The web report form: CSRF, errors that keep every typed word, attachments checked by content."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from aduan.intake.models import Attachment, Channel, Report, Status
from tests.portal.conftest import csrf_client, form_data

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, data: bytes) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_form_page_with_its_css_and_js_is_under_100_kb() -> None:
    client = Client()
    page = client.get("/lapor/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(
        r'<script src="([^"]+)"', html
    )
    assert any(a.endswith(".css") for a in assets) and any(a.endswith("form.js") for a in assets)
    total = len(page.content)
    for url in assets:
        found = finders.find(url.removeprefix("/static/"))
        assert isinstance(found, str), url
        total += Path(found).stat().st_size
    # Uncompressed bytes: what goes over the wire with gzip is well below this.
    assert total <= 100 * 1024, total


def test_submit_with_csrf_creates_a_web_report_and_shows_number_and_code() -> None:
    client, token = csrf_client()
    refused = client.post("/lapor/", form_data())
    assert refused.status_code == 403  # no token, no report
    assert not Report.objects.exists()

    response = client.post("/lapor/", {**form_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/lapor/terkirim/"
    report = Report.objects.get()
    assert report.channel == Channel.WEB and report.status == Status.BELUM_TERVERIFIKASI
    assert report.kecamatan_id == "35.02.17" and report.reporter.phone == "+6281234567891"

    sent = client.get("/lapor/terkirim/")
    html = sent.content.decode()
    assert report.tracking_number in html
    code = re.search(r'id="access-code">([A-Z0-9-]+)<', html).group(1)
    assert report.check_access_code(code)
    assert code not in response["Location"]
    assert "no-store" in sent["Cache-Control"]


def test_an_error_keeps_everything_typed() -> None:
    client = Client()
    data = form_data(
        consent="", phone="12", title="Lampu jalan mati", description="Sudah sebulan gelap gulita.\nBahaya."
    )
    response = client.post("/lapor/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Centang persetujuan" in html
    assert 'value="Lampu jalan mati"' in html and "Sudah sebulan gelap gulita.\nBahaya." in html
    assert 'value="Budi Santoso"' in html and 'value="budi@example.org"' in html
    assert not Report.objects.exists()

    # The service refuses the phone number: shown on the field, the text still kept.
    response = client.post("/lapor/", {**data, "consent": "on"})
    assert response.status_code == 400
    assert (
        "tidak valid" in response.content.decode()
        and "Sudah sebulan gelap gulita." in response.content.decode()
    )
    assert not Report.objects.exists()


def test_a_non_image_named_jpg_is_refused_clearly_and_nothing_is_lost() -> None:
    client = Client()
    data = form_data(
        attachments=[
            upload("foto.jpg", b"MZ\x90\x00 this is not a photo at all" * 20),
            upload("ok.png", png_bytes()),
        ]
    )
    response = client.post("/lapor/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "foto.jpg bukan foto" in html and "Laporan belum dikirim" in html
    assert "Lubang besar sejak dua minggu" in html
    assert not Report.objects.exists() and not Attachment.objects.exists()


def test_photo_attachment_is_stored_reencoded() -> None:
    response = Client().post("/lapor/", form_data(attachments=[upload("jalan.png", png_bytes())]))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.report.title.startswith("Jalan berlubang") and attachment.content_type.startswith(
        "image/"
    )


def test_html_in_text_is_rendered_escaped() -> None:
    client = Client()
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post("/lapor/", form_data(title=evil, consent=""))
    html = response.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    response = client.post("/lapor/", form_data(title=evil, description=evil))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.title == evil  # stored as typed, escaped when shown
    detail = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "<img src=x" not in detail and "&lt;img src=x onerror=alert(1)&gt;" in detail


def test_desa_picker_and_desa_must_lie_in_the_kecamatan() -> None:
    client = Client()
    options = client.get("/lapor/desa/?kecamatan=35.02.17").content.decode()
    codes = re.findall(r'value="(35\.02\.17\.\d+)"', options)
    assert len(codes) > 5 and all(c.startswith("35.02.17.") for c in codes)
    response = client.post("/lapor/", form_data(kecamatan="35.02.01", desa=codes[0]))
    assert response.status_code == 400 and not Report.objects.exists()
    assert 'href="#id_desa">Desa/kelurahan</a>' in response.content.decode()
    response = client.post("/lapor/", form_data(desa=codes[0]))
    assert response.status_code == 302
    assert Report.objects.get().desa_id == codes[0]


def test_confirmation_without_a_fresh_submission_sends_to_tracking() -> None:
    response = Client().get("/lapor/terkirim/")
    assert response.status_code == 302 and response["Location"] == "/lacak/"


def test_home_and_privacy_pages() -> None:
    client = Client()
    home = client.get("/").content.decode()
    for text in (
        "Pengaduan",
        "Aspirasi",
        "Permintaan informasi",
        'action="/lacak/"',
        'href="/laporan/"',
        'href="/statistik/"',
        "/konsol/masuk/",
    ):
        assert text in home
    privacy = client.get("/privasi/").content.decode()
    assert "27 Tahun 2022" in privacy and "penghapusan" in privacy


def test_confirmation_is_queued_to_phone_and_email_in_the_same_transaction() -> None:
    from aduan.notifications.models import OutboundMessage

    refused = Client().post(
        "/lapor/", form_data(attachments=[upload("bukan.jpg", b"%!PS-Adobe not a photo" * 10)])
    )
    assert refused.status_code == 400 and not OutboundMessage.objects.exists()  # rolled back with the report
    assert Client().post("/lapor/", form_data()).status_code == 302
    report = Report.objects.get()
    channels = set(OutboundMessage.objects.filter(report=report).values_list("channel", flat=True))
    # (SMS confirmations for web reports are the notifications app's decision; email is always sent.)
    assert "email" in channels


def test_without_script_the_desa_list_is_filled_by_a_reload_that_keeps_the_text() -> None:
    response = Client().post("/lapor/", form_data(reload_desa="1", title="Teks saya tetap ada"))
    html = response.content.decode()
    assert not Report.objects.exists()
    assert 'value="Teks saya tetap ada"' in html
    assert len(re.findall(r'<option value="35\.02\.17\.\d+"', html)) > 5
