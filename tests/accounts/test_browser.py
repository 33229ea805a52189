"""A citizen with an account, in a real Chromium on a phone-sized screen."""

from __future__ import annotations

from typing import Any

import pytest

from aduan.accounts.models import User
from aduan.intake.models import Report
from tests.accounts.conftest import PASSWORD
from tests.portal.test_browser import PHONE, fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_report_find_it_in_my_reports_then_erase(chromium_browser: Any, live_server: Any) -> None:
    context = chromium_browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Masuk").click()
    page.get_by_role("link", name="Daftar").click()
    page.get_by_label("Nama lengkap").fill("Wulan Sari")
    page.get_by_label("Nomor HP").fill("0856 4433 2211")
    page.get_by_label("Kata sandi:", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Daftar").click()
    page.wait_for_url("**/akun/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Buat laporan").click()
    fill_report(page, "Jembatan bambu di Desa Nologaten rapuh")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url("**/lapor/terkirim/")
    report = Report.objects.get()
    assert report.reporter.user == User.objects.get(phone="+6285644332211")

    page.get_by_role("navigation").get_by_role("link", name="Laporan saya").click()
    page.get_by_role("link", name="Jembatan bambu di Desa Nologaten rapuh").click()
    page.wait_for_url(f"**/lacak/{report.tracking_number}/")
    assert page.locator("#report-status").inner_text().strip() == "Belum terverifikasi"

    page.goto(live_server.url + "/akun/hapus/")
    page.get_by_label("Kata sandi Anda").fill(PASSWORD)
    page.get_by_label("Saya mengerti").check()
    page.get_by_role("button", name="Hapus data saya sekarang").click()
    page.wait_for_url(live_server.url + "/")
    assert "Data pribadi Anda sudah dihapus" in page.content()
    report.reporter.refresh_from_db()
    assert (report.reporter.name, report.reporter.phone) == ("", "")
    context.close()
