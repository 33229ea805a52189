"""Attachments as each role sees them: the file's own name for the coordinator only (a name like
"KTP_<name>.jpg" unmasks an anonymous reporter), documents only as sandboxed downloads, photos
shown from thumbnails made when they were stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aduan.api.services import token_create
from tests.conftest import as_actor
from tests.factories import KESEHATAN, act, attach, submit
from tests.imagefiles import photo_jpeg

pytestmark = pytest.mark.django_db

PHOTO_NAME = "KTP_Zulkarnain Hasibuan.jpg"
PDF_NAME = "Surat_Zulkarnain.pdf"
PDF_WITH_SCRIPT = b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF\n"


@pytest.fixture
def report(koordinator: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    submitted = submit(anonymous=True, name="Zulkarnain Hasibuan")
    report = submitted.report
    coordinator = as_actor(koordinator)
    act(
        coordinator,
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category=KESEHATAN,
    )
    act(coordinator, report, "dispose", lead="dinkes", supporting=[], instruction="Mohon ditindaklanjuti.")
    report.access_code = submitted.access_code
    report.photo = attach(report, photo_jpeg(1600, 1200), PHOTO_NAME)
    report.pdf = attach(report, PDF_WITH_SCRIPT, PDF_NAME)
    return report


def _url(report: Any, name: str, pk: int) -> str:
    return reverse(name, kwargs={"tracking_number": report.tracking_number, "pk": pk})


def _api(report: Any, *, user: Any = None, access_code: str = "") -> dict[str, Any]:
    headers = {"X-Access-Code": access_code} if access_code else {}
    if user is not None:
        headers["Authorization"] = "Bearer " + token_create(user=user, name="t", channel="api")[1]
    response = Client().get(f"/api/v1/reports/{report.tracking_number}", headers=headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_file_name_is_the_coordinators_only(
    login: Any, report: Any, koordinator: Any, admin_dinkes: Any, pimpinan: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ADUAN_API_RATE_LIMIT", "false")
    page = login(koordinator).get(reverse("console:report", args=[report.tracking_number])).content.decode()
    assert PHOTO_NAME in page and PDF_NAME in page
    download = login(koordinator).get(_url(report, "console:attachment", report.pdf.pk))
    assert PDF_NAME in download["Content-Disposition"]
    assert [a["name"] for a in _api(report, user=koordinator)["attachments"]] == [PHOTO_NAME, PDF_NAME]
    for user in (admin_dinkes, pimpinan):
        client = login(user)
        page = client.get(reverse("console:report", args=[report.tracking_number])).content.decode()
        assert "Zulkarnain" not in page and "lampiran-1.jpg" in page and "lampiran-2.pdf" in page
        for item in (report.photo, report.pdf):
            response = client.get(_url(report, "console:attachment", item.pk))
            assert response.status_code == 200
            assert "Zulkarnain" not in response["Content-Disposition"]
            assert item.name in response["Content-Disposition"]
        names = [a["name"] for a in _api(report, user=user)["attachments"]]
        assert names == ["lampiran-1.jpg", "lampiran-2.pdf"]
    # The citizen, with the access code, sees the neutral names too.
    names = [a["name"] for a in _api(report, access_code=report.access_code)["attachments"]]
    assert names == ["lampiran-1.jpg", "lampiran-2.pdf"]


def test_documents_are_sandboxed_downloads_and_photos_inline(
    login: Any, report: Any, admin_dinkes: Any
) -> None:
    client = login(admin_dinkes)
    pdf = client.get(_url(report, "console:attachment", report.pdf.pk))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert pdf["Content-Security-Policy"].startswith("sandbox")
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert b"".join(pdf.streaming_content) == PDF_WITH_SCRIPT  # kept as sent, never shown inline
    photo = client.get(_url(report, "console:attachment", report.photo.pk))
    assert photo["Content-Disposition"].startswith("inline;") and photo["Content-Type"] == "image/jpeg"
    assert photo["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in photo["Cache-Control"]


def test_the_report_page_shows_thumbnails_not_the_full_photos(
    login: Any, report: Any, admin_dinkes: Any
) -> None:
    client = login(admin_dinkes)
    page = client.get(reverse("console:report", args=[report.tracking_number])).content.decode()
    thumb_url = _url(report, "console:attachment_thumbnail", report.photo.pk)
    assert f'<img src="{thumb_url}"' in page
    assert f'<img src="{_url(report, "console:attachment", report.photo.pk)}"' not in page
    thumb = client.get(thumb_url)
    body = b"".join(thumb.streaming_content)
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg" and body[:3] == b"\xff\xd8\xff"
    assert len(body) < report.photo.size / 4 and "Zulkarnain" not in thumb["Content-Disposition"]
    # A PDF has no thumbnail.
    assert client.get(_url(report, "console:attachment_thumbnail", report.pdf.pk)).status_code == 404


def test_an_agency_that_does_not_handle_the_report_gets_neither_file_nor_thumbnail(
    login: Any, report: Any, admin_pupr: Any
) -> None:
    client = login(admin_pupr)
    for name in ("console:attachment", "console:attachment_thumbnail"):
        assert client.get(_url(report, name, report.photo.pk)).status_code == 403


def test_a_photo_marked_public_by_the_coordinator_is_on_the_public_page_cached_for_a_year(
    login: Any, report: Any, koordinator: Any, admin_dinkes: Any
) -> None:
    public_page = f"/laporan/{report.tracking_number}/"
    photo_url = f"/laporan/{report.tracking_number}/foto/{report.photo.pk}/"
    assert photo_url not in Client().get(public_page).content.decode()
    assert Client().get(photo_url).status_code == 404  # not marked yet
    mark = reverse("console:attachment_public", args=[report.tracking_number, report.photo.pk])
    console_page = reverse("console:report", args=[report.tracking_number])
    assert mark in login(koordinator).get(console_page).content.decode()
    assert mark not in login(admin_dinkes).get(console_page).content.decode()
    # Only the coordinator marks photos public; never a document.
    assert login(admin_dinkes).post(mark, {"public": "1"}).status_code == 403
    pdf_mark = reverse("console:attachment_public", args=[report.tracking_number, report.pdf.pk])
    assert login(koordinator).post(pdf_mark, {"public": "1"}).status_code == 400
    assert login(koordinator).post(mark, {"public": "1"}).status_code == 302
    thumb_url = f"{photo_url}kecil/"
    page = Client().get(public_page).content.decode()
    assert f'src="{thumb_url}"' in page and f'href="{photo_url}"' in page and "Zulkarnain" not in page
    assert f'src="{thumb_url}"' in Client().get("/laporan/").content.decode()  # the feed, too
    thumb = Client().get(thumb_url)
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert thumb["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(thumb.streaming_content) == report.photo.thumbnail.open("rb").read()
    assert Client().get(photo_url)["Cache-Control"] == "public, max-age=31536000, immutable"
    # Hidden again: gone from the page and the URLs.
    assert login(koordinator).post(mark, {"public": "0"}).status_code == 302
    assert Client().get(photo_url).status_code == 404 and Client().get(thumb_url).status_code == 404
    assert photo_url not in Client().get("/laporan/").content.decode()


def test_a_confidential_reports_photo_is_never_public(login: Any, report: Any, koordinator: Any) -> None:
    from aduan.intake.models import Report

    mark = reverse("console:attachment_public", args=[report.tracking_number, report.photo.pk])
    assert login(koordinator).post(mark, {"public": "1"}).status_code == 302
    Report.objects.filter(pk=report.pk).update(is_confidential=True)
    assert Client().get(f"/laporan/{report.tracking_number}/foto/{report.photo.pk}/").status_code == 404
