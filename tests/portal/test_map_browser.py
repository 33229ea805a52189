"""The map and the photos in a real Chromium on a phone-sized screen; tiles from a local fixture."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from PIL import Image

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.directory.boundaries import boundaries_import
from aduan.directory.models import Region
from aduan.intake.models import Attachment, Report
from aduan.workflow.photos import attachment_public_set
from tests.factories import KESEHATAN, act, attach, submit
from tests.foundation.test_boundaries import feature, square
from tests.imagefiles import photo_jpeg
from tests.portal.test_browser import PHONE, fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (220, 235, 220)).save(out, format="PNG")
    return out.getvalue()


def _phone(chromium_browser: Any) -> tuple[Any, Any, list[str]]:
    context = chromium_browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block")
    tile = _tile()
    # The tile server of the tests: ADUAN_MAP_TILE_URL points here (tests/conftest.py); no internet.
    context.route("**/uji-peta/**", lambda route: route.fulfill(body=tile, content_type="image/png"))
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return context, page, refused


def test_a_tap_on_the_map_sets_the_pin_that_goes_with_the_report(
    chromium_browser: Any, live_server: Any, koordinator: User
) -> None:
    # Test boundaries: a desa of Kecamatan Sukorejo (35.02.16) around the map's centre, where the tap lands.
    south, west, north, east = django_settings.ADUAN_MAP_BOUNDS
    lat0, lng0 = (south + north) / 2, (west + east) / 2
    desa = Region.objects.filter(parent_id="35.02.16").order_by("code").first()
    assert desa is not None
    boundaries_import(
        [feature(desa.code, square(lat0, lng0, 0.05)), feature("35.02.16", square(lat0, lng0, 0.1))]
    )
    # An open public report already filed in that desa: the form offers to support it.
    earlier = submit(title="Jembatan retak sejak bulan lalu", region=desa.code).report
    act(actor_for_user(koordinator), earlier, "verify", classification="aspirasi", category=KESEHATAN)
    context, page, refused = _phone(chromium_browser)
    page.goto(live_server.url + "/lapor/")
    fill_report(page, "Jembatan retak di Jl. Ahmad Yani")
    page.get_by_role("button", name="Pilih titik di peta").click()
    page.locator("#pin-map.leaflet-container img.leaflet-tile-loaded").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("#pin-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#pin-map .leaflet-marker-icon").wait_for()
    lat, lng = page.input_value("#id_latitude"), page.input_value("#id_longitude")
    south, west, north, east = django_settings.ADUAN_MAP_BOUNDS
    assert south < float(lat) < north and west < float(lng) < east
    assert "Pin terpasang" in page.locator("#pin-status").inner_text()
    # The pin filled kecamatan and desa from the boundaries (replacing the citizen's earlier pick).
    page.locator(f"#id_desa option[value='{desa.code}']").wait_for(state="attached")
    for _ in range(50):
        if page.input_value("#id_desa") == desa.code:
            break
        page.wait_for_timeout(100)
    assert page.input_value("#id_kecamatan") == "35.02.16" and page.input_value("#id_desa") == desa.code
    page.locator("#nearby").get_by_text("Jembatan retak sejak bulan lalu").wait_for()
    assert page.locator("#nearby").get_by_role("button", name="Saya juga mengalami").count() == 1
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url("**/lapor/terkirim/")
    report = Report.objects.exclude(pk=earlier.pk).get()
    assert (report.latitude, report.longitude) == (Decimal(lat), Decimal(lng))
    assert report.desa_id == desa.code
    assert refused == []
    context.close()


def test_photos_on_the_tracking_page_and_once_marked_on_the_public_page(
    chromium_browser: Any, live_server: Any, koordinator: User, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    submitted = submit(title="Sampah menumpuk di pasar")
    report = submitted.report
    photo = attach(report, photo_jpeg(1200, 900), "pasar.jpg")
    coordinator = actor_for_user(koordinator)
    act(
        coordinator,
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category=KESEHATAN,
    )
    context, page, refused = _phone(chromium_browser)
    page.goto(live_server.url + "/lacak/")
    page.get_by_label("Nomor laporan").fill(report.tracking_number)
    page.get_by_label("Kode akses").fill(submitted.access_code)
    page.get_by_role("button", name="Lacak").click()
    page.wait_for_url(f"**/lacak/{report.tracking_number}/")
    own = page.locator("#lampiran-anda img")
    own.wait_for()
    # loading="lazy": the browser fetches it once near the viewport, and under load it may still be
    # on its way when the element appears. A photo that never loads fails here after 10 s.
    own.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=own.element_handle(), timeout=10_000
    )
    public = f"{live_server.url}/laporan/{report.tracking_number}/"
    page.goto(public)
    assert page.locator(".photos img").count() == 0
    attachment_public_set(actor=coordinator, report_id=report.pk, attachment_id=photo.pk, public=True)
    page.goto(public)
    shown = page.locator(".photos img")
    shown.wait_for()
    shown.scroll_into_view_if_needed()
    loaded = "(() => { const i = document.querySelector('.photos img'); return i.complete && i.naturalWidth > 0; })()"
    for _ in range(50):  # evaluate() is not subject to the page's CSP; wait_for_function would be
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(loaded)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert refused == []
    context.close()


def _camera_photo(path: Path) -> Path:
    """A 12-megapixel JPEG with a camera's noise (several MB, as a phone writes it)."""
    noise = Image.effect_noise((4000, 3000), 60).convert("RGB")
    noise.save(path, format="JPEG", quality=92)
    return path


def test_a_12_megapixel_photo_is_resized_on_the_phone_and_arrives_over_a_slow_uplink(
    chromium_browser: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    photo = _camera_photo(tmp_path / "IMG_20261205_101500.jpg")
    assert photo.stat().st_size > 3 * 1024 * 1024
    context, page, refused = _phone(chromium_browser)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # ~1 Mbit/s up: the original (> 3 MB) would need ~30 s; the resized photo a few seconds.
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": 250_000, "uploadThroughput": 125_000},
    )
    page.goto(live_server.url + "/lapor/")
    fill_report(page, "Sampah dibuang ke sungai")
    page.set_input_files("#id_attachments", str(photo))
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url("**/lapor/terkirim/", timeout=60_000)
    stored = Attachment.objects.get()
    with stored.file.open("rb") as f, Image.open(f) as image:
        assert max(image.size) == 2048  # resized in the browser (the server alone stores 2560)
    assert stored.original_name == "IMG_20261205_101500.jpg"
    assert refused == []
    context.close()


def test_an_interrupted_upload_offers_a_retry_that_sends_once(
    chromium_browser: Any, live_server: Any
) -> None:
    context, page, _refused = _phone(chromium_browser)
    page.goto(live_server.url + "/lapor/")
    fill_report(page, "Lampu taman mati")
    cut = {"n": 0}

    def first_fails(route: Any) -> None:
        cut["n"] += 1
        if cut["n"] == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(
        "**/lapor/", lambda route: first_fails(route) if route.request.method == "POST" else route.continue_()
    )
    page.get_by_role("button", name="Kirim laporan").click()
    page.get_by_role("button", name="Coba kirim lagi").wait_for()
    assert "Pengiriman terputus" in page.locator("#upload-status").inner_text()
    assert not Report.objects.exists()
    page.get_by_role("button", name="Coba kirim lagi").click()
    page.wait_for_url("**/lapor/terkirim/")
    assert Report.objects.count() == 1
    context.close()


def test_a_form_error_keeps_the_chosen_photo(
    chromium_browser: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DATA_DIR = tmp_path / "data"
    photo = tmp_path / "got.jpg"
    photo.write_bytes(photo_jpeg(1600, 1200))
    context, page, refused = _phone(chromium_browser)
    page.goto(live_server.url + "/lapor/")
    fill_report(page, "sementara")
    page.get_by_label("Judul singkat").fill("")
    page.set_input_files("#id_attachments", str(photo))
    page.get_by_role("button", name="Kirim laporan").click()
    page.locator("#kept-files img").wait_for()
    assert not Report.objects.exists()
    page.get_by_label("Judul singkat").fill("Gorong-gorong tersumbat")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url("**/lapor/terkirim/")
    assert [a.original_name for a in Report.objects.get().attachments.all()] == ["got.jpg"]
    assert refused == []
    context.close()


def test_the_public_map_draws_an_anonymous_report_as_a_circle(
    chromium_browser: Any, live_server: Any, koordinator: User
) -> None:
    report = submit(
        title="Pungli di pasar", anonymous=True, latitude="-7.865123", longitude="111.462345"
    ).report
    act(actor_for_user(koordinator), report, "verify", classification="aspirasi", category=KESEHATAN)
    context, page, refused = _phone(chromium_browser)
    page.goto(live_server.url + "/peta/")
    page.locator("#reports-map path.leaflet-interactive").wait_for()  # the ~500 m circle
    assert page.locator("#reports-map .leaflet-marker-icon").count() == 0  # never a pin
    assert "7.865123" not in page.content() and "111.462345" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert refused == []
    context.close()
