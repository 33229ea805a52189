"""The consoles in a real Chromium: the coordinator verifies and disposes, the OPD admin publishes."""

from __future__ import annotations

from typing import Any

import pytest

from aduan.core.roles import Role
from aduan.intake.models import Status
from aduan.workflow.models import FollowUp
from tests.conftest import make_user
from tests.factories import PUPR, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAPTOP = {"width": 1280, "height": 900}


def sign_in(browser: Any, base: str, username: str, viewport: dict[str, int] = LAPTOP) -> Any:
    page = browser.new_context(viewport=viewport, locale="id-ID").new_page()
    page.goto(base + "/konsol/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill("rahasia-123")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("networkidle")
    return page


def test_coordinator_verifies_and_disposes_then_opd_publishes(
    chromium_browser: Any, live_server: Any
) -> None:
    make_user("koordinator", Role.COORDINATOR, "diskominfo")
    make_user("admin-pupr", Role.OPD_ADMIN, "pupr")
    report = submit(
        title="Jalan berlubang di Jetis", description="Lubang besar di jalan kabupaten depan pasar."
    ).report

    # Coordinator: the new queue lists the report; verify with a category picked in two steps.
    page = sign_in(chromium_browser, live_server.url, "koordinator")
    assert page.url.endswith("/konsol/antrean/baru/")
    page.get_by_role("link", name="Jalan berlubang di Jetis").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Pengaduan tidak berkadar pengawasan").check()
    page.get_by_label("Kategori", exact=True).select_option(PUPR)
    # The sub-categories arrive over htmx once the top-level category is chosen.
    # An arrow function, not a bare expression: Playwright eval()s those, which the page's CSP refuses.
    page.wait_for_function("() => document.querySelectorAll('#id_category_sub option').length > 1")
    page.get_by_label("Subkategori").select_option(index=1)
    page.get_by_label("Judul (boleh disunting)").fill("Jalan kabupaten berlubang depan Pasar Jetis")
    page.get_by_role("button", name="Verifikasi", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Terverifikasi" in page.inner_text(".report-badges")

    # Dispose: Dinas PUPR is pre-selected by the routing rule.
    assert page.get_by_label("OPD utama").input_value() == "pupr"
    page.get_by_label("Instruksi").fill("Mohon ditambal sebelum musim hujan.")
    page.get_by_role("button", name="Disposisikan").click()
    page.wait_for_load_state("networkidle")
    assert "Terdisposisi" in page.inner_text(".report-badges")
    report.refresh_from_db()
    assert report.status == Status.TERDISPOSISI and report.lead_agency.code == "pupr"
    assert report.category.parent.code == PUPR

    # OPD admin: new disposition, accept, publish a follow-up.
    opd = sign_in(chromium_browser, live_server.url, "admin-pupr")
    opd.get_by_role("link", name="Jalan kabupaten berlubang depan Pasar Jetis").click()
    assert "Mohon ditambal sebelum musim hujan." in opd.content()
    opd.get_by_role("button", name="Terima disposisi").click()
    opd.wait_for_load_state("networkidle")
    opd.get_by_label("Tindak lanjut untuk pelapor").fill(
        "Lubang sudah ditambal tim UPT Jalan pada hari Kamis."
    )
    opd.get_by_role("button", name="Publikasikan ke pelapor").click()
    opd.wait_for_load_state("networkidle")
    assert "Ditindaklanjuti" in opd.inner_text(".report-badges")
    report.refresh_from_db()
    assert report.status == Status.DITINDAKLANJUTI
    assert FollowUp.objects.get(report=report).state == FollowUp.State.PUBLISHED


def test_queue_and_report_page_fit_a_phone(chromium_browser: Any, live_server: Any) -> None:
    make_user("koordinator", Role.COORDINATOR, "diskominfo")
    submit(title="Sampah menumpuk di Pasar Legi")
    phone = {"width": 360, "height": 740}
    page = sign_in(chromium_browser, live_server.url, "koordinator", viewport=phone)
    link = page.get_by_role("link", name="Sampah menumpuk di Pasar Legi")
    assert link.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= phone["width"]
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= phone["width"]
    page.get_by_role("link", name="Ke tindakan ↓").click()
    assert page.get_by_role("button", name="Verifikasi", exact=True).is_visible()


def test_bulk_verify_and_dispose_with_select_all(chromium_browser: Any, live_server: Any) -> None:
    make_user("koordinator", Role.COORDINATOR, "diskominfo")
    reports = [submit(title=f"Jalan rusak ruas {i}").report for i in range(3)]
    page = sign_in(chromium_browser, live_server.url, "koordinator")
    page.get_by_label("Pilih semua laporan di halaman ini").check()
    page.locator("#b-category_top").select_option(PUPR)
    page.get_by_role("button", name="Verifikasi dan disposisikan").click()
    page.wait_for_load_state("networkidle")
    assert "3 dari 3 laporan berhasil" in page.content()
    for report in reports:
        report.refresh_from_db()
        assert report.status == Status.TERDISPOSISI and report.lead_agency.code == "pupr"
