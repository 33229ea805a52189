"""sms_receive: the text commands against the real database and the real lifecycle services."""

from __future__ import annotations

import pytest

from aduan.channels.models import InboundMessage, Outcome
from aduan.channels.services import sms_receive
from aduan.intake.models import Report, Status
from aduan.workflow.models import CitizenMessage
from tests.conftest import as_actor
from tests.factories import act, submit

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


def test_lapor_creates_an_sms_report_and_replies_number_and_code() -> None:
    received = sms_receive("081234567890", "LAPOR Jalan di Desa Nglumpang rusak parah, banyak lubang", "gw-1")
    report = received.report
    assert report is not None
    assert report.channel == "sms"
    assert report.kind == "pengaduan"
    assert report.region is None
    assert report.status == Status.BELUM_TERVERIFIKASI
    assert report.reporter is not None and report.reporter.phone == PHONE
    assert report.original_text == "Jalan di Desa Nglumpang rusak parah, banyak lubang"
    assert report.title.startswith("Jalan di Desa Nglumpang")
    assert report.tracking_number in received.reply
    code = received.reply.split("kode akses: ")[1].split(" ")[0]
    assert report.check_access_code(code)
    assert len(received.reply) <= 160
    message = InboundMessage.objects.get(gateway="webhook", gateway_id="gw-1")
    assert message.outcome == Outcome.REPORT_CREATED and message.sender == PHONE and message.report == report


def test_free_text_creates_a_report_too() -> None:
    received = sms_receive("+62 812-3456-7890", "Sampah menumpuk di Pasar Legi sudah seminggu", "gw-2")
    assert received.report is not None and received.report.channel == "sms"
    assert received.report.original_text == "Sampah menumpuk di Pasar Legi sudah seminggu"


def test_same_gateway_id_answers_the_same_reply_without_a_second_report() -> None:
    first = sms_receive(PHONE, "LAPOR Lampu jalan mati", "gw-dup")
    again = sms_receive(PHONE, "LAPOR Lampu jalan mati", "gw-dup")
    assert again.duplicate and not first.duplicate
    assert again.reply == first.reply
    assert Report.objects.filter(channel="sms").count() == 1
    # Another gateway may reuse the same id: it is a different message.
    other = sms_receive(PHONE, "LAPOR Lampu jalan mati", "gw-dup", gateway="gammu")
    assert not other.duplicate and Report.objects.filter(channel="sms").count() == 2


def test_cek_replies_the_status_to_the_reporter_only(koordinator) -> None:  # type: ignore[no-untyped-def]
    created = sms_receive(PHONE, "LAPOR Puskesmas tutup pagi", "gw-3")
    report = created.report
    assert report is not None
    act(
        as_actor(koordinator),
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category="kesehatan",
    )
    status = sms_receive(PHONE, f"CEK {report.tracking_number}", "gw-4")
    assert status.message.outcome == Outcome.STATUS_SENT
    assert report.tracking_number in status.reply and "Terverifikasi" in status.reply
    stranger = sms_receive("+6285711112222", f"CEK {report.tracking_number}", "gw-5")
    assert stranger.message.outcome == Outcome.REJECTED
    assert "Terverifikasi" not in stranger.reply
    # The same answer for a number that does not exist: nothing to probe.
    missing = sms_receive("+6285711112222", "CEK 2601-000001", "gw-6")
    assert missing.reply.replace("2601-000001", "X") == stranger.reply.replace(report.tracking_number, "X")


def test_cek_with_the_access_code_works_from_another_phone() -> None:
    submitted = submit(phone="", email="")  # a web report without a phone number
    received = sms_receive(
        "+6285711112222", f"CEK {submitted.report.tracking_number} {submitted.access_code}", "gw-7"
    )
    assert received.message.outcome == Outcome.STATUS_SENT
    assert "Belum terverifikasi" in received.reply
    wrong = sms_receive("+6285711112222", f"CEK {submitted.report.tracking_number} AAAA-BBBB", "gw-8")
    assert wrong.message.outcome == Outcome.REJECTED


def test_wrong_codes_by_sms_are_limited_per_sender(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ADUAN_SMS_CODE_FAILURES = 3
    target, other = submit(phone="", email=""), submit(phone="", email="")
    guesser, citizen = "+6285711113333", "+6285711114444"
    for i in range(3):
        wrong = sms_receive(guesser, f"CEK {target.report.tracking_number} AAAA-BBB{i}", f"gw-g{i}")
        assert wrong.message.error_code == "report_not_found"
    # Now even the right code, for this or any report, is refused to that phone for the window.
    for n, (submitted, code) in enumerate(((target, target.access_code), (other, other.access_code))):
        blocked = sms_receive(guesser, f"CEK {submitted.report.tracking_number} {code}", f"gw-b{n}")
        assert blocked.message.error_code == "too_many_attempts"
        assert "Belum terverifikasi" not in blocked.reply and "Terlalu banyak" in blocked.reply
    refused_action = sms_receive(
        guesser, f"SELESAI {target.report.tracking_number} {target.access_code}", "gw-b3"
    )
    assert refused_action.message.outcome == Outcome.REJECTED
    # Another sender is not affected, and right codes never count.
    for n in range(5):
        fine = sms_receive(citizen, f"CEK {target.report.tracking_number} {target.access_code}", f"gw-c{n}")
        assert fine.message.outcome == Outcome.STATUS_SENT


def test_a_text_while_the_report_is_on_hold_answers_the_clarification(koordinator) -> None:  # type: ignore[no-untyped-def]
    report = sms_receive(PHONE, "LAPOR Jalan rusak", "gw-9").report
    assert report is not None
    act(as_actor(koordinator), report, "hold", question="Di desa mana jalan yang rusak?")
    status = sms_receive(PHONE, f"CEK {report.tracking_number}", "gw-10")
    assert "Di desa mana" in status.reply
    answer = sms_receive(PHONE, "Di Desa Nglumpang, Kecamatan Mlarak, depan SD", "gw-11")
    report.refresh_from_db()
    assert answer.message.outcome == Outcome.CLARIFICATION
    assert report.status == Status.BELUM_TERVERIFIKASI
    assert CitizenMessage.objects.filter(report=report, text__startswith="Di Desa Nglumpang").exists()
    assert report.events.filter(action="resume").count() == 1
    assert Report.objects.filter(channel="sms").count() == 1
    # Once resumed, the next free text is a new report again.
    sms_receive(PHONE, "Lampu PJU mati di Jalan Soekarno-Hatta", "gw-12")
    assert Report.objects.filter(channel="sms").count() == 2


def test_lapor_while_on_hold_is_a_new_report(koordinator) -> None:  # type: ignore[no-untyped-def]
    report = sms_receive(PHONE, "LAPOR Jalan rusak", "gw-13").report
    assert report is not None
    act(as_actor(koordinator), report, "hold", question="Di mana?")
    sms_receive(PHONE, "LAPOR Masalah lain: air PDAM mati", "gw-14")
    report.refresh_from_db()
    assert report.status == Status.DITUNDA
    assert Report.objects.filter(channel="sms").count() == 2


@pytest.mark.parametrize("sender", ["TELKOMSEL", "123", "", "0812", "+62 000"])
def test_invalid_sender_is_stored_but_not_answered(sender: str) -> None:
    received = sms_receive(sender, "Promo paket internet murah", f"gw-invalid-{sender}")
    assert received.reply == ""
    assert received.message.outcome == Outcome.INVALID_SENDER
    assert received.message.text == "Promo paket internet murah"
    assert not Report.objects.exists()


def test_help_and_empty_lapor() -> None:
    assert "LAPOR" in sms_receive(PHONE, "BANTUAN", "gw-15").reply
    assert "LAPOR" in sms_receive(PHONE, "", "gw-16").reply
    empty = sms_receive(PHONE, "LAPOR", "gw-17")
    assert empty.message.outcome == Outcome.HELP and not Report.objects.exists()


def test_too_long_text_is_refused_politely_and_kept() -> None:
    received = sms_receive(PHONE, "LAPOR " + "x" * 21_000, "gw-18")
    assert received.message.outcome == Outcome.REJECTED
    assert received.message.error_code == "description_too_long"
    assert received.reply.startswith("Maaf")
    assert not Report.objects.exists()
    assert InboundMessage.objects.filter(pk=received.message.pk).exists()


def test_html_in_sms_is_stored_as_text() -> None:
    received = sms_receive(PHONE, "<script>alert(1)</script> jalan rusak", "gw-19")
    assert received.report is not None
    assert received.report.original_text == "<script>alert(1)</script> jalan rusak"


def test_one_number_cannot_flood_reports() -> None:
    from aduan.channels.services import MAX_REPORTS_PER_HOUR

    for i in range(MAX_REPORTS_PER_HOUR):
        assert sms_receive(PHONE, f"LAPOR Masalah nomor {i}", f"flood-{i}").report is not None
    refused = sms_receive(PHONE, "LAPOR Satu lagi", "flood-x")
    assert refused.message.outcome == Outcome.REJECTED and refused.message.error_code == "rate_limited"
    assert refused.reply.startswith("Maaf, terlalu banyak laporan")
    assert Report.objects.count() == MAX_REPORTS_PER_HOUR
    # Another number is not affected.
    assert sms_receive("+6285711112222", "LAPOR Lain", "flood-y").report is not None
