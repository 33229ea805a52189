"""A citizen on a phone switches to English with the footer picker and stays in English."""

from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_footer_picker_switches_to_english_on_a_phone(live_server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # An English phone: the service still answers in Bahasa Indonesia until English is chosen.
        page = browser.new_page(viewport={"width": 375, "height": 740}, locale="en-US")
        page.goto(f"{live_server.url}/lapor/")
        assert page.get_attribute("html", "lang") == "id"
        assert page.get_by_role("button", name="Kirim laporan").is_visible()

        picker = page.get_by_label("Bahasa")
        with page.expect_navigation():
            picker.select_option("en")  # submits on change, back to the same page
        assert page.url.endswith("/lapor/")
        assert page.get_attribute("html", "lang") == "en"
        assert page.get_by_role("button", name="Send report").is_visible()
        assert page.get_by_text("What happened?").first.is_visible()

        page.goto(f"{live_server.url}/lacak/")  # the choice is kept
        assert page.get_by_role("heading", name="Track a report").is_visible()
        assert page.get_by_label("Language").input_value() == "en"
        # Longer English text must not break the phone layout.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
        browser.close()
