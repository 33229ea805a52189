"""The public feed: non-confidential verified reports, never any personal data; "saya juga mengalami"."""

from __future__ import annotations

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.intake.models import Report
from aduan.portal.access import DEVICE_COOKIE
from tests.factories import PUPR, act, submit, verified

pytestmark = pytest.mark.django_db

PERSONAL = {
    "name": "Rahmat Hidayat",
    "phone": "081298765432",
    "email": "rahmat.h@example.org",
    "nik": "3502171234560001",
}
PERSONAL_SHOWN = [
    "Rahmat Hidayat",
    "Rahmat",
    "81298765432",
    "0812 9876",
    "rahmat.h@example.org",
    "3502171234560001",
]


def test_feed_shows_only_public_reports_and_no_personal_data(koordinator: User) -> None:
    k = actor_for_user(koordinator)
    public = verified(k, title="Trotoar rusak di Jl. Diponegoro", **PERSONAL)
    anonymous = verified(k, title="Sampah menumpuk di pasar", anonymous=True, **PERSONAL)
    secret = verified(k, title="Pungli pembuatan KTP", confidential=True, **PERSONAL)
    unverified = submit(title="Belum diverifikasi sama sekali", **PERSONAL).report
    hidden_by_coordinator = submit(title="Menyebut nama tetangga", **PERSONAL).report
    act(k, hidden_by_coordinator, "verify", classification="aspirasi", category=PUPR, confidential=True)

    client = Client()
    html = client.get("/laporan/").content.decode()
    assert public.title in html and anonymous.title in html
    for hidden in (secret, unverified, hidden_by_coordinator):
        assert hidden.title not in html
    pages = [html]
    for report in (public, anonymous):
        page = client.get(f"/laporan/{report.tracking_number}/")
        assert page.status_code == 200
        pages.append(page.content.decode())
    for report in (secret, unverified, hidden_by_coordinator):
        assert client.get(f"/laporan/{report.tracking_number}/").status_code == 404
    for page in pages:
        for value in PERSONAL_SHOWN:
            assert value not in page, value


def test_feed_filters_and_paginates(koordinator: User, settings: object) -> None:
    from aduan.portal import conf

    k = actor_for_user(koordinator)
    road = verified(k, title="Jalan desa rusak", category=PUPR, region="35.02.01")
    clinic = verified(k, title="Obat habis di puskesmas", region="35.02.17")
    act(k, clinic, "dispose", lead="dinkes", supporting=[], instruction="")
    client = Client()
    by_category = client.get("/laporan/", {"kategori": PUPR}).content.decode()
    assert road.title in by_category and clinic.title not in by_category
    by_kecamatan = client.get("/laporan/", {"kecamatan": "35.02.17"}).content.decode()
    assert clinic.title in by_kecamatan and road.title not in by_kecamatan
    by_status = client.get("/laporan/", {"status": "terdisposisi"}).content.decode()
    assert clinic.title in by_status and road.title not in by_status

    original = conf.FEED_PAGE_SIZE
    conf.FEED_PAGE_SIZE = 5
    try:
        for i in range(6):
            verified(k, title=f"Laporan nomor {i}")
        first = client.get("/laporan/").content.decode()
        second = client.get("/laporan/", {"halaman": 2}).content.decode()
    finally:
        conf.FEED_PAGE_SIZE = original
    assert "Halaman 1 dari 2" in first and "halaman=2" in first
    assert "Halaman 2 dari 2" in second


def test_me_too_counts_once_per_device_and_per_account(koordinator: User, warga: User) -> None:
    report = verified(actor_for_user(koordinator), title="Air PDAM keruh")
    url = f"/laporan/{report.tracking_number}/dukung/"
    device = Client()
    response = device.post(url)
    assert response.status_code == 302 and DEVICE_COOKIE in response.cookies
    device.post(url)
    device.cookies.pop("sessionid", None)  # a new session on the same device still counts once
    device.post(url)
    assert Report.objects.get(pk=report.pk).support_count == 1

    Client().post(url)  # another device
    account = Client()
    account.force_login(warga)
    account.post(url)
    account.cookies.pop(DEVICE_COOKIE, None)
    account.post(url)  # same account from a fresh device: still once
    assert Report.objects.get(pk=report.pk).support_count == 3
    assert "3</strong>" in Client().get(f"/laporan/{report.tracking_number}/").content.decode()


def test_me_too_refused_for_a_non_public_report() -> None:
    report = submit().report
    assert Client().post(f"/laporan/{report.tracking_number}/dukung/").status_code == 404
    assert Report.objects.get(pk=report.pk).support_count == 0
