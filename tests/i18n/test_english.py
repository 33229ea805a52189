"""English as the second locale: chosen with the footer picker (/i18n/setlang/, kept in the language
cookie); Bahasa Indonesia otherwise, whatever the browser's Accept-Language says.

The pages are rendered by the real views against the real database; the assertions name a few
English strings each page must show and the Indonesian source strings that must then be gone.
"""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client

from aduan.accounts.models import User
from tests.factories import submit

pytestmark = pytest.mark.django_db


def visible_text(response) -> str:  # type: ignore[no-untyped-def]
    """The text a reader sees: tags, scripts and styles removed, entities decoded."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def html_lang(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "page has no <html lang>"
    return match.group(1)


# url -> (English strings that must appear, their Indonesian sources that must not)
PUBLIC_PAGES = {
    "/": (
        ["Make a report", "Track a report", "How to report", "Privacy notice", "Skip to content"],
        ["Buat laporan", "Lacak laporan", "Cara melapor", "Pemberitahuan privasi", "Langsung ke isi"],
    ),
    "/lapor/": (
        ["Type of report", "What happened?", "Send report", "Complaint", "Information request"],
        ["Jenis laporan", "Apa yang terjadi?", "Kirim laporan", "Pengaduan", "Permintaan informasi"],
    ),
    "/lacak/": (
        ["Enter the number and access code", "Report number", "Access code", "Track"],
        ["Masukkan nomor dan kode akses", "Nomor laporan", "Kode akses", "Lacak"],
    ),
    "/konsol/masuk/": (
        ["Officer sign-in", "Username", "Password", "Sign in"],
        ["Masuk petugas", "Nama pengguna", "Kata sandi"],
    ),
}


@pytest.fixture
def english() -> Client:
    """A visitor who picked English in the footer."""
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


@pytest.mark.parametrize("url", list(PUBLIC_PAGES))
def test_english_pages_after_choosing_english(english: Client, url: str) -> None:
    response = english.get(url)
    assert response.status_code == 200
    assert html_lang(response) == "en"
    text = visible_text(response)
    english, indonesian = PUBLIC_PAGES[url]
    for phrase in english:
        assert phrase in text, f"{url}: {phrase!r} missing in English"
    for phrase in indonesian:
        assert phrase not in text, f"{url}: Indonesian {phrase!r} still shown in English"


@pytest.mark.parametrize("url", list(PUBLIC_PAGES))
def test_indonesian_is_the_default_even_for_an_english_browser(client: Client, url: str) -> None:
    # No language cookie: Bahasa Indonesia, although the phone asks for English.
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert html_lang(response) == "id"
    text = visible_text(response)
    english, indonesian = PUBLIC_PAGES[url]
    for phrase in indonesian:
        assert phrase in text, f"{url}: {phrase!r} missing in Indonesian"
    for phrase in english[:2]:  # short words such as "Track" can occur in Indonesian text
        assert phrase not in text


def test_the_picker_names_english_in_english_on_indonesian_pages(client: Client) -> None:
    # Django's own Indonesian catalogue says "Inggris"; a visitor who reads no Indonesian must
    # still find English (aduan/locale/id overrides it).
    page = client.get("/").content.decode()
    assert '<option value="en">English</option>' in page
    assert "Inggris" not in page


def test_unknown_language_choice_keeps_indonesian(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    response = client.get("/")
    assert html_lang(response) == "id"
    assert "Buat laporan" in visible_text(response)


def test_footer_picker_switches_language_and_back() -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/lapor/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the language picker posts a CSRF token"
    assert 'action="/i18n/setlang/"' in page.content.decode()

    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/lapor/", "csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302 and response["Location"] == "/lapor/"
    assert client.cookies["django_language"].value == "en"
    text = visible_text(client.get("/lapor/"))
    assert "Send report" in text and "Kirim laporan" not in text
    text = visible_text(client.get("/lacak/"))
    assert "Enter the number and access code" in text

    # The English page offers the way back.
    page = client.get("/")
    assert '<option value="id">Bahasa Indonesia</option>' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "id", "next": "/", "csrfmiddlewaretoken": token.group(1)})
    response = client.get("/")
    assert html_lang(response) == "id"
    assert "Buat laporan" in visible_text(response)


def test_console_home_in_english_for_the_coordinator(english: Client, koordinator: User) -> None:
    english.force_login(koordinator)
    response = english.get("/konsol/", follow=True)
    assert response.status_code == 200
    text = visible_text(response)
    for phrase in ["Coordinating admin", "Enter a report", "Sign out", "Ready to assign", "Returned by OPD"]:
        assert phrase in text, f"console: {phrase!r} missing"
    for phrase in ["Admin koordinator", "Entri laporan", "Keluar", "Siap disposisi", "Dikembalikan OPD"]:
        assert phrase not in text, f"console: Indonesian {phrase!r} still shown"

    indonesian = Client()
    indonesian.force_login(koordinator)
    text = visible_text(indonesian.get("/konsol/", follow=True))
    assert "Siap disposisi" in text and "Ready to assign" not in text


def test_tracking_a_report_in_english(english: Client) -> None:
    sent = submit()
    number = sent.report.tracking_number

    wrong = english.post("/lacak/", {"tracking_number": number, "access_code": "XXXX-XXXX"})
    assert wrong.status_code == 400
    assert "Wrong report number or access code" in visible_text(wrong)

    response = english.post(
        "/lacak/", {"tracking_number": number, "access_code": sent.access_code}, follow=True
    )
    assert response.status_code == 200
    text = visible_text(response)
    assert number in text
    assert "Not yet verified" in text and "Belum terverifikasi" not in text
    assert "Agency follow-up" in text and "Tindak lanjut instansi" not in text
