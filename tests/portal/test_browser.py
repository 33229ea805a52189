"""The citizen's path in a real Chromium on a phone-sized screen (Debian's /usr/bin/chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from aduan.intake.models import Channel, Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 740}


def fill_report(page: Any, title: str) -> None:
    page.get_by_label("Pengaduan").check()
    page.get_by_label("Judul singkat").fill(title)
    page.get_by_label("Apa yang terjadi?").fill(
        "Lampu jalan di depan masjid mati sejak seminggu, jalan gelap dan rawan."
    )
    page.get_by_label("Kecamatan").select_option("35.02.17")
    # The desa list arrives from the small endpoint once a kecamatan is chosen.
    # (A locator, not wait_for_function with a bare expression: Playwright eval()s those, which the
    # page's CSP refuses.)
    page.locator("#id_desa option").nth(5).wait_for(state="attached")
    page.get_by_label("Desa/kelurahan").select_option(index=2)
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_label("Saya telah membaca").check()


def test_phone_user_reports_and_tracks(chromium_browser: Any, live_server: Any) -> None:
    context = chromium_browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block")
    page = context.new_page()
    page.goto(live_server.url + "/lapor/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    fill_report(page, "Lampu jalan mati di Jl. Gajah Mada")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url("**/lapor/terkirim/")
    number = page.locator("#tracking-number").inner_text().strip()
    code = page.locator("#access-code").inner_text().strip()
    report = Report.objects.get(tracking_number=number)
    assert (
        report.channel == Channel.WEB
        and report.check_access_code(code)
        and report.desa_id.startswith("35.02.17.")
    )

    # Another phone, with only the number and the code.
    other = chromium_browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block").new_page()
    other.goto(live_server.url + "/lacak/")
    other.get_by_label("Nomor laporan").fill(number)
    other.get_by_label("Kode akses").fill(code)
    other.get_by_role("button", name="Lacak").click()
    other.wait_for_url(f"**/lacak/{number}/")
    assert other.locator("#report-status").inner_text().strip() == "Belum terverifikasi"
    context.close()


def test_offline_report_is_kept_and_sent_once_when_back_online(
    chromium_browser: Any, live_server: Any
) -> None:
    context = chromium_browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block")
    page = context.new_page()
    page.goto(live_server.url + "/lapor/")
    fill_report(page, "Draf luring: jalan gelap")
    context.set_offline(True)
    page.get_by_role("button", name="Kirim laporan").click()
    page.get_by_text("Draf tersimpan di perangkat").wait_for()
    assert not Report.objects.exists()
    assert page.evaluate("JSON.parse(localStorage.getItem('aduan:drafts')).length") == 1
    context.set_offline(False)  # fires `online`: the draft goes out with its Idempotency-Key
    page.locator(".sent-number").wait_for()
    number = page.locator(".sent-number").inner_text().strip()
    assert Report.objects.get().tracking_number == number
    page.reload()  # nothing is sent twice
    page.wait_for_load_state("networkidle")
    assert Report.objects.count() == 1
    context.close()


def test_service_worker_opens_the_form_without_network(chromium_browser: Any, live_server: Any) -> None:
    context = chromium_browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    page.goto(live_server.url + "/")
    kept = "navigator.serviceWorker.ready.then(() => caches.keys()).then(keys => keys.length ? caches.open(keys[0]).then(c => c.match('/lapor/')).then(Boolean) : false)"
    for _ in range(100):  # evaluate() awaits the promise; poll until the worker has filled its cache
        if page.evaluate(kept):
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("the service worker never cached /lapor/")
    context.set_offline(True)
    page.goto(live_server.url + "/lapor/")
    assert page.locator("#report-form").count() == 1
    page.goto(live_server.url + "/laporan/")  # not kept: the offline page says what still works
    assert "Tidak ada koneksi" in page.title()
    context.close()
