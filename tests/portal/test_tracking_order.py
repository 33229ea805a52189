"""The tracking page reads in the order a citizen needs: where it stands, what the OPD did (with its
files), then their choices; the previous rating shown; one clear sentence for each state."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.intake.models import Report
from aduan.notifications.models import ContactOptOut, OutboundMessage
from aduan.portal.presenters import state_explanation
from aduan.workflow.models import FollowUp
from tests.factories import PUPR, act, attach, submit
from tests.portal.test_tracking import followed_up, opened

pytestmark = pytest.mark.django_db


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_the_opd_follow_up_with_its_photo_comes_before_the_citizens_choices(
    koordinator: User, admin_pupr: User
) -> None:
    report, code = followed_up(koordinator, admin_pupr)
    follow_up = FollowUp.objects.get(report=report)
    photo = attach(report, png().getvalue(), "balok.png", follow_up_id=follow_up.pk)
    client = Client()
    opened(client, report.tracking_number, code)
    page = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    follow_up_at = page.index("Jembatan sudah diperkuat dengan balok baja.")
    assert follow_up_at < page.index("Masalah sudah selesai?") < page.index("Belum puas? Balas tindak lanjut")
    assert follow_up_at < page.index('id="act"')
    assert page.index("Beri penilaian") < page.index("Belum puas?")
    link = f"/lacak/{report.tracking_number}/lampiran/{photo.pk}/"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"].startswith("image/")
    assert Client().get(link).status_code == 404  # not without the access code
    # The public page shows the follow-up text but never links the reporter-only file route.
    assert link not in Client().get(f"/laporan/{report.tracking_number}/").content.decode()


def test_the_previous_rating_is_shown_at_the_top(koordinator: User, admin_pupr: User) -> None:
    report, code = followed_up(koordinator, admin_pupr)
    client = Client()
    opened(client, report.tracking_number, code)
    client.post(f"/lacak/{report.tracking_number}/rate/", {"score": "3", "comment": "Lambat tapi beres"})
    page = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    rating = page.index('id="last-rating"')
    assert "3 dari 5" in page[rating : rating + 300] and "Lambat tapi beres" in page[rating : rating + 400]
    assert rating < page.index("Tindak lanjut instansi")


def test_each_state_has_its_own_plain_sentence(koordinator: User, admin_pupr: User) -> None:
    k = actor_for_user(koordinator)
    report = submit().report
    seen = {state_explanation(report)}
    report = act(k, report, "verify", classification="pengaduan_tidak_berkadar_pengawasan", category=PUPR)
    seen.add(state_explanation(report))
    report = act(k, report, "dispose", lead="pupr", supporting=[], instruction="")
    assert "Dinas Pekerjaan Umum" in state_explanation(report)
    seen.add(state_explanation(report))
    report = act(actor_for_user(admin_pupr), report, "return", reason="Bukan kami.", proposed_agency="dinkes")
    returned = state_explanation(report)
    assert "bukan kewenangannya" in returned and "tidak dihentikan" in returned
    seen.add(returned)
    held = act(k, submit().report, "hold", question="Di mana?")
    seen.add(state_explanation(held))
    archived = act(k, submit().report, "archive", reason="spam")
    assert "Spam" in state_explanation(archived)
    seen.add(state_explanation(archived))
    assert len(seen) == 6


def test_the_reporter_can_stop_and_restart_the_news(koordinator: User) -> None:
    submitted = submit()
    client = Client()
    opened(client, submitted.report.tracking_number, submitted.access_code)
    url = f"/lacak/{submitted.report.tracking_number}/"
    assert "Berhenti menerima kabar" in client.get(url).content.decode()
    assert client.post(f"{url}kabar/", {"on": "0"}).status_code == 302
    assert set(ContactOptOut.objects.values_list("address", flat=True)) == {
        "+6281234567890",
        "siti@example.org",
    }
    assert "Kirimi saya kabar lagi" in client.get(url).content.decode()
    report: Report = act(actor_for_user(koordinator), submitted.report, "hold", question="Kapan?")
    assert not OutboundMessage.objects.filter(report=report, template_key="citizen.hold").exists()
    client.post(f"{url}kabar/", {"on": "1"})
    assert not ContactOptOut.objects.exists()
    assert Client().post(f"{url}kabar/", {"on": "0"}).status_code == 404  # only the proven reporter
