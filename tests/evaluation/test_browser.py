"""The statistics page on a cheap phone in a real browser: charts drawn on the server (SVG, no
script), nothing wider than a 360 px screen, and axe-core finds no accessibility violation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from aduan.core import clock
from tests.factories import submit

PHONE = {"width": 360, "height": 740}


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the page (run through the debugging protocol: the page's CSP
    forbids injected scripts, rightly)."""
    import axe_playwright_python

    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    result = page.evaluate(source + "\n;axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_statistics_on_a_phone(live_server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with clock.travel(timezone.make_aware(dt.datetime(2022, 3, 1, 9))):
        for _ in range(6):
            submit(channel="sms", region="35.02.17", name="", email="")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport=PHONE)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        scripts: list[str] = []
        page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
        page.goto(f"{live_server.url}/statistik/?year=2022")
        page.wait_for_load_state("networkidle")
        # Bars drawn on the server: no chart library is loaded.
        assert page.locator("svg.bar").count() >= 5
        assert not [s for s in scripts if "chart" in s.lower()], scripts
        # Nothing overflows the phone's width; labels wrap instead of being clipped.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        assert "P90" not in page.inner_text("main") and "< 50%" not in page.inner_text("main")
        assert axe_violations(page) == []
        assert errors == []
        browser.close()
