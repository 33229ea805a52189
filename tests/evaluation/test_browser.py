"""The dashboard draws its charts with the vendored Chart.js in a real browser, on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aduan.core import clock
from tests.factories import submit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_statistics_charts_render_on_a_phone(live_server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with clock.travel(timezone.make_aware(dt.datetime(2022, 3, 1, 9))):
        submit(channel="sms", region="35.02.17", name="", email="")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 375, "height": 740})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server.url}/statistik/?year=2022")
        page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
        assert page.evaluate("Object.keys(Chart.instances).length") >= 10
        # Nothing overflows the phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
        assert errors == []
        browser.close()
