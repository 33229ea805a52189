"""The Content-Security-Policy in a real Chromium (issue 13): the main flows, none blocked.

Every page of the citizen's and the staff's main flows is opened and used under the policy the
server sends; the browser reports each violation both as a `securitypolicyviolation` event
(recorded by a script Playwright injects, which the page's policy does not cover) and in the
console. Any one fails the test, with the page it happened on.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from aduan.core.roles import Role
from tests.conftest import as_actor, make_user
from tests.factories import verified
from tests.portal.test_browser import PHONE, fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.second_factor]
LAPTOP = {"width": 1280, "height": 900}
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watched:
    """A page whose CSP violations are collected, checked after each step."""

    def __init__(self, browser: Any, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, locale="id-ID", service_workers="block")
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(message.text))
        self.checked: list[str] = []

    def clean(self, where: str) -> None:
        self.page.wait_for_load_state("networkidle")
        header = self.page.evaluate("document.contentType") and self.page.url
        events = self.page.evaluate("window.__cspViolations || []")
        logged = [
            m
            for m in self.console
            if "Content Security Policy" in m or "Content-Security-Policy" in m or "Permissions-Policy" in m
        ]
        assert not events and not logged, f"CSP violations on {where} ({header}): {events} {logged}"
        self.console.clear()
        self.checked.append(where)


def test_citizen_flows_run_under_the_policy(chromium_browser: Any, live_server: Any) -> None:
    koordinator = make_user("koordinator", Role.COORDINATOR, "diskominfo")
    public = verified(as_actor(koordinator), title="Lampu jalan mati di Jl. Pramuka")
    citizen = Watched(chromium_browser, PHONE)
    page = citizen.page
    response = page.goto(live_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    citizen.clean("beranda")

    page.goto(live_server.url + "/lapor/")
    fill_report(page, "Lampu jalan mati di Jl. Gajah Mada")  # the desa list comes from form.js
    citizen.clean("formulir laporan")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url("**/lapor/terkirim/")
    citizen.clean("laporan terkirim")
    number = page.locator("#tracking-number").inner_text().strip()
    code = page.locator("#access-code").inner_text().strip()

    page.goto(live_server.url + "/lacak/")
    citizen.clean("lacak")
    page.get_by_label("Nomor laporan").fill(number)
    page.get_by_label("Kode akses").fill(code)
    page.get_by_role("button", name="Lacak").click()
    page.wait_for_url(f"**/lacak/{number}/")
    citizen.clean("detail lacak")

    page.goto(live_server.url + "/laporan/")
    citizen.clean("umpan publik")
    page.get_by_role("link", name=public.title).first.click()
    page.wait_for_load_state("networkidle")
    assert public.title in page.content()
    citizen.clean("laporan publik")

    page.goto(live_server.url + "/statistik/")
    page.locator("svg.bar").first.wait_for()  # the charts are SVG drawn on the server
    citizen.clean("statistik")

    # The footer's language picker works without its old inline onchange (language.js).
    page.select_option("#lang", "en")
    page.locator("html[lang=en]").wait_for(state="attached")
    citizen.clean("statistik (English)")

    page.goto(live_server.url + "/api/docs")
    page.locator(".swagger-ui").first.wait_for()
    citizen.clean("dokumentasi API")
    assert len(citizen.checked) == 10
    citizen.context.close()


def code_for(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_staff_sign_in_second_factor_queue_and_report_run_under_the_policy(
    chromium_browser: Any, live_server: Any
) -> None:
    koordinator = make_user("koordinator", Role.COORDINATOR, "diskominfo")
    koordinator.is_staff = koordinator.is_superuser = True  # as the demo's coordinator
    koordinator.save()
    report = verified(as_actor(koordinator), title="Jalan berlubang di Jetis")
    staff = Watched(chromium_browser, LAPTOP)
    page = staff.page
    page.goto(live_server.url + "/konsol/")
    staff.clean("masuk petugas")
    page.get_by_label("Nama pengguna").fill("koordinator")
    page.get_by_label("Kata sandi").fill("rahasia-123")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/konsol/dua-langkah/**")
    # The QR code is an image from this site, drawn without inline markup.
    assert page.evaluate("document.querySelector('img.otp-qr').naturalWidth") > 0
    staff.clean("aktifkan dua langkah")
    page.get_by_label("Kode dari aplikasi").fill(code_for("koordinator"))
    page.get_by_role("button", name="Aktifkan").click()
    page.locator(".recovery-codes li").first.wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    staff.clean("kode pemulihan")
    page.get_by_role("link", name="Saya sudah menyimpannya, lanjut").click()
    page.wait_for_url("**/konsol/antrean/**")
    staff.clean("antrean")
    page.goto(live_server.url + f"/konsol/laporan/{report.tracking_number}/")
    assert "Jalan berlubang di Jetis" in page.content()
    staff.clean("halaman laporan konsol")
    page.goto(live_server.url + "/statistik/dasbor/")
    page.locator("svg.bar").first.wait_for()
    staff.clean("dasbor")
    # The Django admin, behind the same sign-in and second factor, under the same policy.
    page.goto(live_server.url + "/django-admin/directory/category/add/")
    assert page.locator("#category_form").count() == 1
    staff.clean("admin: kategori baru")
    page.goto(live_server.url + f"/django-admin/accounts/user/{koordinator.pk}/change/")
    staff.clean("admin: pengguna")
    assert len(staff.checked) == 8
    staff.context.close()
