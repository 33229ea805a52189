"""BALAS, NILAI, SELESAI, BUKA: the citizen works their report by SMS, through the lifecycle service."""

from __future__ import annotations

import pytest

from aduan.accounts.models import User
from aduan.channels.models import InboundMessage, Outcome
from aduan.channels.services import sms_receive
from aduan.channels.textcommands import Verb, parse
from aduan.intake.models import Report, Status
from aduan.workflow.models import CitizenMessage, Rating
from tests.conftest import as_actor
from tests.factories import act

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


def _followed_up(koordinator: User, admin_pupr: User) -> str:
    report = sms_receive(PHONE, "LAPOR Jalan di depan SD Babadan berlubang besar", "gw-a1").report
    assert report is not None
    report = act(
        as_actor(koordinator),
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category="pekerjaan-umum-dan-penataan-ruang",
        region="35.02.17",
    )
    report = act(as_actor(koordinator), report, "dispose", lead="pupr", supporting=[], instruction="")
    act(as_actor(admin_pupr), report, "follow_up", text="Lubang sudah ditambal hari ini.")
    return report.tracking_number


def test_parse_actions_and_fall_back_to_a_new_report() -> None:
    assert parse("BALAS 2611-1234567 masih rusak").action == "reply"
    command = parse("nilai 26111234567 4 cepat")
    assert (command.verb, command.action, command.tracking_number, command.text) == (
        Verb.ACTION,
        "rate",
        "2611-1234567",
        "4 cepat",
    )
    assert parse("SELESAI 2611 1234567").tracking_number == "2611-1234567"
    assert parse("Selesai kerja bakti, jalan malah rusak").verb is Verb.TEXT


def test_reply_rate_complete_and_reopen_by_sms(koordinator: User, admin_pupr: User) -> None:
    number = _followed_up(koordinator, admin_pupr)
    check = sms_receive(PHONE, f"CEK {number}", "gw-a2")
    assert "BALAS" in check.reply and "Ditindaklanjuti" in check.reply

    sms_receive(PHONE, f"BALAS {number} Tambalannya sudah lepas lagi", "gw-a3")
    report = Report.objects.get(tracking_number=number)
    assert report.status == Status.DITANGGAPI_PELAPOR
    assert CitizenMessage.objects.get(report=report).text == "Tambalannya sudah lepas lagi"
    assert InboundMessage.objects.get(gateway_id="gw-a3").outcome == Outcome.CITIZEN_ACTION

    act(as_actor(admin_pupr), report, "follow_up", text="Sudah diaspal ulang.")
    assert "Terima kasih" in sms_receive(PHONE, f"NILAI {number} 5 cepat sekali", "gw-a4").reply
    assert (Rating.objects.get().score, Rating.objects.get().comment) == (5, "cepat sekali")
    sms_receive(PHONE, f"SELESAI {number}", "gw-a5")
    report.refresh_from_db()
    assert report.status == Status.SELESAI and report.closed_by == "citizen"
    sms_receive(PHONE, f"BUKA {number} Rusak lagi setelah hujan", "gw-a6")
    report.refresh_from_db()
    assert report.status == Status.DITANGGAPI_PELAPOR and report.reopen_count == 1


def test_only_the_reporting_phone_may_act_and_refusals_are_explained(
    koordinator: User, admin_pupr: User
) -> None:
    number = _followed_up(koordinator, admin_pupr)
    stranger = sms_receive("+6285712345678", f"SELESAI {number}", "gw-b1")
    assert "tidak ditemukan" in stranger.reply and stranger.report is None
    bad_score = sms_receive(PHONE, f"NILAI {number} 9", "gw-b2")
    assert (
        InboundMessage.objects.get(gateway_id="gw-b2").outcome == Outcome.REJECTED
        and "1 dan 5" in bad_score.reply
    )
    too_early = sms_receive(PHONE, f"BUKA {number} belum selesai", "gw-b3")
    assert InboundMessage.objects.get(gateway_id="gw-b3").outcome == Outcome.REJECTED and too_early.reply
