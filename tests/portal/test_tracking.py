"""The tracking page: the access code opens a report once per session; the citizen's actions."""

from __future__ import annotations

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.core.actors import actor_for_user
from aduan.intake.models import ClosedBy, Report, Status
from aduan.workflow.models import CitizenMessage, Rating
from tests.factories import act, submit

pytestmark = pytest.mark.django_db


def opened(client: Client, number: str, code: str) -> None:
    response = client.post("/lacak/", {"tracking_number": number, "access_code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == f"/lacak/{number}/"


def followed_up(koordinator: User, admin_pupr: User) -> tuple[Report, str]:
    """A report the PUPR admin has answered, and its access code."""
    from tests.factories import PUPR

    submitted = submit(title="Jembatan retak", region="35.02.17")
    k = actor_for_user(koordinator)
    report = act(
        k, submitted.report, "verify", classification="pengaduan_tidak_berkadar_pengawasan", category=PUPR
    )
    report = act(k, report, "dispose", lead="pupr", supporting=[], instruction="Mohon dicek.")
    report = act(
        actor_for_user(admin_pupr), report, "follow_up", text="Jembatan sudah diperkuat dengan balok baja."
    )
    return report, submitted.access_code


def test_wrong_code_is_refused_and_opens_nothing() -> None:
    submitted = submit()
    client = Client()
    response = client.post(
        "/lacak/", {"tracking_number": submitted.report.tracking_number, "access_code": "AAAA-BBBB"}
    )
    assert response.status_code == 400
    assert "salah" in response.content.decode()
    assert client.get(f"/lacak/{submitted.report.tracking_number}/").status_code == 404
    # An unknown number gets the very same answer: the page does not confirm which numbers exist.
    unknown = client.post("/lacak/", {"tracking_number": "0000-000000", "access_code": "AAAA-BBBB"})
    assert unknown.status_code == 400


def test_right_code_shows_status_timeline_and_due_date() -> None:
    submitted = submit()
    client = Client()
    opened(client, submitted.report.tracking_number, submitted.access_code.lower().replace("-", ""))
    html = client.get(f"/lacak/{submitted.report.tracking_number}/").content.decode()
    assert "Belum terverifikasi" in html and "Laporan diterima" in html
    assert "batas waktu" in html and "Verifikasi dan disposisi" in html
    # Listed on the tracking page for the rest of the session.
    assert submitted.report.tracking_number in client.get("/lacak/").content.decode()


def test_wrong_codes_are_limited_per_report_and_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADUAN_PORTAL_TRACK_ATTEMPTS", "3")
    target, mine = submit(), submit()
    number = target.report.tracking_number
    nat = "10.0.0.5"  # a carrier NAT: the guesser and honest citizens share one address
    guesser = Client(REMOTE_ADDR=nat)
    for _ in range(3):
        assert (
            guesser.post("/lacak/", {"tracking_number": number, "access_code": "AAAA-BBBB"}).status_code
            == 400
        )
    blocked = guesser.post("/lacak/", {"tracking_number": number, "access_code": target.access_code})
    assert blocked.status_code == 429 and "Terlalu banyak" in blocked.content.decode()
    # Right codes never count, and a citizen behind the same address opens their own report.
    for _ in range(5):
        opened(Client(REMOTE_ADDR=nat), mine.report.tracking_number, mine.access_code)
    # The owner elsewhere is not locked out of their report either.
    opened(Client(REMOTE_ADDR="10.0.0.9"), number, target.access_code)


def test_citizen_answers_a_clarification(koordinator: User) -> None:
    submitted = submit()
    act(actor_for_user(koordinator), submitted.report, "hold", question="Di RT berapa tepatnya?")
    client = Client()
    opened(client, submitted.report.tracking_number, submitted.access_code)
    page = client.get(f"/lacak/{submitted.report.tracking_number}/").content.decode()
    assert "Di RT berapa tepatnya?" in page and "/resume/" in page and "/reply/" not in page
    response = client.post(f"/lacak/{submitted.report.tracking_number}/resume/", {"answer": "RT 02 RW 03."})
    assert response.status_code == 302
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.BELUM_TERVERIFIKASI
    assert CitizenMessage.objects.get(report=submitted.report).text == "RT 02 RW 03."


def test_citizen_replies_rates_confirms_and_reopens(koordinator: User, admin_pupr: User) -> None:
    report, code = followed_up(koordinator, admin_pupr)
    client = Client()
    opened(client, report.tracking_number, code)
    url = f"/lacak/{report.tracking_number}/"
    page = client.get(url).content.decode()
    assert "Jembatan sudah diperkuat dengan balok baja." in page  # the published follow-up
    for action in ("reply", "rate", "complete"):
        assert f"{url}{action}/" in page
    assert f"{url}reopen/" not in page

    # Reply: the OPD must answer again.
    assert client.post(f"{url}reply/", {"text": "Masih ada retakan di sisi timur."}).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DITANGGAPI_PELAPOR

    # An action the state does not allow is refused in Indonesian, the typed text kept.
    refused = client.post(f"{url}reopen/", {"reason": "Alasan yang saya ketik"})
    assert refused.status_code == 409
    assert "tidak dapat dilakukan" in refused.content.decode()

    act(actor_for_user(admin_pupr), report, "follow_up", text="Sisi timur sudah diperbaiki.")
    assert client.post(f"{url}rate/", {"score": "4", "comment": "Cepat, terima kasih"}).status_code == 302
    assert Rating.objects.get(report=report).score == 4
    bad = client.post(f"{url}rate/", {"score": "9", "comment": "x"})
    assert bad.status_code == 400 and "antara 1 dan 5" in bad.content.decode()

    assert client.post(f"{url}complete/", {}).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SELESAI and report.closed_by == ClosedBy.CITIZEN

    page = client.get(url).content.decode()
    assert f"{url}reopen/" in page and f"{url}reply/" not in page
    assert client.post(f"{url}reopen/", {"reason": "Retak lagi setelah hujan."}).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.DITANGGAPI_PELAPOR and report.reopen_count == 1


def test_actions_need_the_proof_of_access(koordinator: User, admin_pupr: User) -> None:
    report, _code = followed_up(koordinator, admin_pupr)
    stranger = Client()
    assert stranger.post(f"/lacak/{report.tracking_number}/complete/", {}).status_code == 404
    report.refresh_from_db()
    assert report.status == Status.DITINDAKLANJUTI


def test_signed_in_citizen_sees_own_reports(warga: User, koordinator: User) -> None:
    from aduan.core.actors import Actor
    from aduan.core.roles import Role

    mine = submit(actor=Actor(role=Role.CITIZEN, user=warga), title="Laporan milik warga").report
    other = submit(title="Laporan orang lain").report
    client = Client()
    client.force_login(warga)
    listing = client.get("/lacak/").content.decode()
    assert "Laporan milik warga" in listing and "Laporan orang lain" not in listing
    assert client.get(f"/lacak/{mine.tracking_number}/").status_code == 200
    assert client.get(f"/lacak/{other.tracking_number}/").status_code == 404
    # Staff signed in elsewhere get no citizen powers here.
    staff = Client()
    staff.force_login(koordinator)
    assert staff.get(f"/lacak/{mine.tracking_number}/").status_code == 404
