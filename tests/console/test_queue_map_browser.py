"""The queue's map in a real Chromium under the CSP: drawn on load, drawn again after htmx swaps
the filtered results in; an anonymous report a circle for the OPD, never a pin."""

from __future__ import annotations

from typing import Any

import pytest

from aduan.core.roles import Role
from tests.conftest import as_actor, make_user
from tests.console.test_browser import sign_in
from tests.factories import disposed
from tests.portal.test_map_browser import _tile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page: Any) -> list[str]:
    tile = _tile()
    page.context.route("**/uji-peta/**", lambda route: route.fulfill(body=tile, content_type="image/png"))
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def test_the_queue_map_draws_the_page_and_follows_the_filter(chromium_browser: Any, live_server: Any) -> None:
    k = as_actor(make_user("koordinator", Role.COORDINATOR, "diskominfo"))
    make_user("admin-dinkes", Role.OPD_ADMIN, "dinkes")
    disposed(
        k,
        lead="dinkes",
        title="Pungli di pasar",
        anonymous=True,
        latitude="-7.865123",
        longitude="111.462345",
    )
    disposed(k, lead="dinkes", title="Jalan berlubang di Jetis", latitude="-7.90", longitude="111.50")

    page = sign_in(chromium_browser, live_server.url, "koordinator")
    refused = _watch(page)
    page.goto(live_server.url + "/konsol/antrean/semua/")
    page.locator(".queue-map .leaflet-marker-icon").nth(1).wait_for()
    assert page.locator(".queue-map .leaflet-marker-icon").count() == 2  # exact for the coordinator
    assert refused == []
    page.get_by_placeholder("Cari judul, isi, atau nomor laporan").fill("Jetis")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_function("() => document.querySelectorAll('#queue-results tbody tr').length === 1")
    page.locator(".queue-map .leaflet-marker-icon").first.wait_for()
    assert page.locator(".queue-map .leaflet-marker-icon").count() == 1
    assert refused == []
    page.context.close()

    page = sign_in(chromium_browser, live_server.url, "admin-dinkes")
    refused = _watch(page)
    page.goto(live_server.url + "/konsol/antrean/semua/")
    page.locator(".queue-map path.leaflet-interactive").wait_for()  # the anonymous report's cell
    assert page.locator(".queue-map .leaflet-marker-icon").count() == 1
    assert "7.865123" not in page.content()
    assert refused == []
    page.context.close()
