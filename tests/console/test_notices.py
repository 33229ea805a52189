"""The bell: officers hear of their work in the console; the report page shows each message's delivery."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.core import clock
from aduan.notifications import delivery
from aduan.notifications.delivery import DeliveryError, deliver_due
from aduan.notifications.models import StaffNotice, StaffPreference
from tests.conftest import as_actor
from tests.factories import act, disposed

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]


def bell_count(client: Client) -> int:
    html = client.get("/konsol/pemberitahuan/").content.decode()
    match = re.search(r'id="bell"[^>]*><svg.*?</svg>(?:<span class="bell-count">(\d+)</span>)?', html)
    assert match, "no bell in the console header"
    return int(match.group(1) or 0)


def test_the_pejabat_hears_of_a_draft_in_the_console_and_opens_it(
    login: Login, koordinator: User, admin_dinkes: User, pejabat_dinkes: User
) -> None:
    report = disposed(as_actor(koordinator), lead="dinkes")
    pejabat = login(pejabat_dinkes)
    assert bell_count(pejabat) == 0
    # Dinkes requires approval: the admin's draft waits for the pejabat.
    act(as_actor(admin_dinkes), report, "draft_follow_up", text="Jadwal puskesmas dipasang di pintu.")
    assert bell_count(pejabat) == 1
    page = pejabat.get("/konsol/pemberitahuan/").content.decode()
    assert report.tracking_number in page and "menunggu persetujuan" in page and "[Aduan]" not in page
    [notice] = StaffNotice.objects.filter(user=pejabat_dinkes)
    response = pejabat.get(f"/konsol/pemberitahuan/{notice.pk}/")
    assert (
        response.status_code == 302 and response["Location"] == f"/konsol/laporan/{report.tracking_number}/"
    )
    assert bell_count(pejabat) == 0
    # Someone else's notice is not theirs to open.
    assert login(admin_dinkes).get(f"/konsol/pemberitahuan/{notice.pk}/").status_code == 404


def test_an_officer_chooses_how_to_hear_and_can_mark_all_read(
    login: Login, koordinator: User, admin_dinkes: User
) -> None:
    client = login(admin_dinkes)
    response = client.post("/konsol/pemberitahuan/", {"by_email": "on"})
    assert response.status_code == 302
    preference = StaffPreference.objects.get(user=admin_dinkes)
    assert (preference.by_email, preference.in_console) == (True, False)
    disposed(as_actor(koordinator), lead="dinkes")
    assert not StaffNotice.objects.filter(user=admin_dinkes).exists()
    client.post("/konsol/pemberitahuan/", {"by_email": "on", "in_console": "on"})
    disposed(as_actor(koordinator), lead="dinkes")
    disposed(as_actor(koordinator), lead="dinkes")
    assert bell_count(client) == 2
    client.post("/konsol/pemberitahuan/", {"read_all": "1"})
    assert bell_count(client) == 0
    # Both switched off keeps the bell: nobody silences their own work by accident.
    client.post("/konsol/pemberitahuan/", {})
    preference.refresh_from_db()
    assert (preference.by_email, preference.in_console) == (False, True)


def test_the_report_page_shows_each_message_queued_sent_retried_failed(
    login: Login, koordinator: User, admin_dinkes: User, pejabat_dinkes: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = disposed(as_actor(koordinator), lead="dinkes")  # verify + dispose: SMS and email to Siti
    page = login(koordinator).get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert "Pemberitahuan dan status pengiriman" in page
    assert page.count("Menunggu dikirim") >= 4 and "+6281234567890" in page

    def gateway_down(to: str, text: str) -> str:
        raise DeliveryError("modem tidak menjawab")

    monkeypatch.setattr(delivery, "send_sms", gateway_down)
    deliver_due()  # emails leave, SMS fail once and wait for a retry
    page = login(koordinator).get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert (
        "Terkirim" in page
        and "Dicoba ulang (percobaan ke-1 gagal)" in page
        and "modem tidak menjawab" in page
    )

    def number_refused(to: str, text: str) -> str:
        raise DeliveryError("nomor ditolak operator", retryable=False)

    monkeypatch.setattr(delivery, "send_sms", number_refused)
    with clock.travel(clock.now() + dt.timedelta(hours=1)):
        deliver_due()
    page = login(koordinator).get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert 'class="delivery-failed">Gagal' in page
    # The OPD sees that its reporter was told, not the reporter's number of an anonymous report.
    report.is_anonymous = True
    report.save(update_fields=["is_anonymous"])
    opd_page = login(admin_dinkes).get(f"/konsol/laporan/{report.tracking_number}/").content.decode()
    assert "Pelapor" in opd_page and "+6281234567890" not in opd_page and "siti@example.org" not in opd_page
