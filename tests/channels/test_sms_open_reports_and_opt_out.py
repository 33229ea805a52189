"""CEK alone lists the sending phone's open reports; BERHENTI / MULAI switch that phone's news off and on."""

from __future__ import annotations

import pytest

from aduan.accounts.models import User
from aduan.channels.services import sms_receive
from aduan.channels.textcommands import Verb, parse
from aduan.notifications.models import OutboundMessage
from tests.conftest import as_actor
from tests.factories import KESEHATAN, act, submit

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


def test_cek_alone_lists_the_open_reports_of_the_reporting_phone_only(koordinator: User) -> None:
    first = sms_receive(PHONE, "LAPOR Lampu jalan mati di Babadan", "gw-1").report
    web = submit(phone="0812-3456-7890").report  # the same phone on the web form counts too
    closed = submit(phone=PHONE).report
    act(as_actor(koordinator), closed, "archive", reason="spam")
    submit(phone="+6285711112222")  # someone else's
    assert first is not None
    reply = sms_receive(PHONE, "CEK", "gw-2").reply
    assert first.tracking_number in reply and web.tracking_number in reply
    assert closed.tracking_number not in reply and reply.count("(") == 2
    assert len(reply) <= 160
    other = sms_receive("+6289900001111", "cek", "gw-3").reply
    assert other.startswith("Tidak ada laporan terbuka") and first.tracking_number not in other


def test_cek_alone_with_many_open_reports_stays_one_sms() -> None:
    for _ in range(8):
        submit(phone=PHONE)
    reply = sms_receive(PHONE, "CEK", "gw-many").reply
    assert len(reply) <= 160 and "lainnya" in reply and "CEK <nomor>" in reply


def test_berhenti_stops_status_news_and_mulai_brings_it_back(koordinator: User) -> None:
    assert parse("BERHENTI").verb is Verb.OPT_OUT and parse("mulai").verb is Verb.OPT_IN
    assert parse("Berhenti total lampu lalu lintas di Jl. Soekarno-Hatta").verb is Verb.TEXT
    report = submit(phone=PHONE, email="").report
    assert "tidak akan lagi" in sms_receive(PHONE, "BERHENTI", "gw-stop").reply
    report = act(as_actor(koordinator), report, "verify", classification="aspirasi", category=KESEHATAN)
    assert not OutboundMessage.objects.filter(report=report, template_key="citizen.status").exists()
    assert "aktif kembali" in sms_receive(PHONE, "MULAI", "gw-start").reply
    act(as_actor(koordinator), report, "dispose", lead="dinkes", supporting=[], instruction="")
    assert OutboundMessage.objects.filter(report=report, template_key="citizen.dispose", to=PHONE).exists()
