"""Gammu SMSD: inbox rows (inserted the way gammu-smsd's SQL service inserts them) become reports,
replies land in outbox / outbox_multipart. Runs against Gammu's own shipped schema on SQLite and
on PostgreSQL (a scratch schema; skipped only when no PostgreSQL server is reachable)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from aduan.channels import gammu
from aduan.channels.gammu import GammuDB, poll_once, queue_sms
from aduan.channels.models import InboundMessage
from aduan.channels.services import sms_receive
from aduan.channels.sms import send_sms
from aduan.intake.models import Report

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


def inbox_insert(
    db: GammuDB, sender: str, text: str, *, udh: str = "", coding: str = "Default_No_Compression"
) -> int:
    """As gammu-smsd's SQL service does: Text is the hex-encoded UCS-2 text, TextDecoded the text, UDH
    the hex user data header ('' for a single SMS)."""
    with db.transaction():
        row = db.execute(
            'INSERT INTO inbox ("ReceivingDateTime", "Text", "SenderNumber", "Coding", "SMSCNumber", "UDH", "Class", '
            '"TextDecoded", "RecipientID") VALUES (CURRENT_TIMESTAMP, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING "ID"',
            (
                text.encode("utf-16-be").hex().upper(),
                sender,
                coding,
                "+6281100000",
                udh,
                -1,
                text,
                "aduan-modem",
            ),
        ).fetchone()
    return int(row[0])


def processed(db: GammuDB) -> dict[int, bool]:
    return {
        int(r[0]): str(r[1]).lower() in ("true", "1")
        for r in db.fetchall('SELECT "ID", "Processed" FROM inbox')
    }


def outbox(db: GammuDB) -> list[dict[str, Any]]:
    rows = db.fetchall(
        'SELECT "ID", "DestinationNumber", "TextDecoded", "Coding", "UDH", "MultiPart", "CreatorID" FROM outbox ORDER BY "ID"'
    )
    keys = ["id", "to", "text", "coding", "udh", "multipart", "creator"]
    return [dict(zip(keys, r, strict=True)) for r in rows]


def full_text(db: GammuDB, outbox_id: int) -> str:
    first = db.fetchall('SELECT "TextDecoded" FROM outbox WHERE "ID" = %s', (outbox_id,))[0][0]
    rest = db.fetchall(
        'SELECT "TextDecoded" FROM outbox_multipart WHERE "ID" = %s ORDER BY "SequencePosition"', (outbox_id,)
    )
    return first + "".join(r[0] for r in rest)


def test_inbox_rows_become_reports_and_replies_go_to_the_outbox(gammu_db: tuple[str, GammuDB]) -> None:
    _url, db = gammu_db
    first = inbox_insert(db, "081234567890", "LAPOR Jalan di Desa Nglumpang berlubang")
    second = inbox_insert(db, "+6285711112222", "Lampu PJU mati di Jalan Batoro Katong")
    stats = poll_once(db)
    assert (stats.messages, stats.replies, stats.rows) == (2, 2, 2)
    reports = list(Report.objects.filter(channel="sms").order_by("pk"))
    assert [r.original_text for r in reports] == [
        "Jalan di Desa Nglumpang berlubang",
        "Lampu PJU mati di Jalan Batoro Katong",
    ]
    assert reports[0].reporter.phone == PHONE
    assert processed(db) == {first: True, second: True}
    sent = outbox(db)
    assert [row["to"] for row in sent] == ["081234567890", "+6285711112222"]  # as the modem saw the sender
    assert reports[0].tracking_number in sent[0]["text"]
    assert sent[0]["coding"] == "Default_No_Compression" and sent[0]["creator"] == "Aduan"
    assert str(sent[0]["multipart"]).lower() in ("false", "0")
    # A second poll finds nothing new.
    assert poll_once(db).messages == 0
    assert Report.objects.count() == 2 and len(outbox(db)) == 2


def test_multipart_parts_are_joined_in_order(gammu_db: tuple[str, GammuDB]) -> None:
    _url, db = gammu_db
    parts = [
        "LAPOR Saluran air di depan SDN 1 Ponorogo ",
        "tersumbat sampah sejak dua minggu, ",
        "air meluap ke jalan.",
    ]
    # Parts arrive out of order, with another sender's SMS in between.
    inbox_insert(db, PHONE, parts[2], udh="050003A70303")
    inbox_insert(db, "+6285711112222", "CEK 2611-000001")
    inbox_insert(db, PHONE, parts[0], udh="050003A70301")
    inbox_insert(db, PHONE, parts[1], udh="050003A70302")
    stats = poll_once(db)
    assert stats.messages == 2 and stats.rows == 4
    report = Report.objects.get(channel="sms")
    assert report.original_text == "".join(parts)[len("LAPOR ") :].strip()
    assert all(processed(db).values())


def test_incomplete_multipart_waits_then_is_taken_as_it_is(
    gammu_db: tuple[str, GammuDB], settings: Any
) -> None:
    _url, db = gammu_db
    inbox_insert(db, PHONE, "Jembatan di Desa Sawoo ", udh="0608041234020 1".replace(" ", ""))
    settings.ADUAN_GAMMU_MULTIPART_TIMEOUT = 600
    stats = poll_once(db)
    assert stats.waiting == 1 and stats.messages == 0
    assert not Report.objects.exists() and not any(processed(db).values())
    # After the timeout the part that came is not lost: it becomes the report, the gap marked.
    settings.ADUAN_GAMMU_MULTIPART_TIMEOUT = 0
    stats = poll_once(db)
    assert stats.messages == 1
    report = Report.objects.get()
    assert report.original_text.startswith("Jembatan di Desa Sawoo") and "[...]" in report.original_text
    assert all(processed(db).values())


def test_a_crash_between_aduan_and_gammu_commits_creates_no_second_report(
    gammu_db: tuple[str, GammuDB],
) -> None:
    _url, db = gammu_db
    inbox_id = inbox_insert(db, PHONE, "LAPOR Pasar becek")
    row = gammu._unprocessed(db, 10)[0]
    # Aduan committed the message, then the poller died before Gammu's transaction committed.
    earlier = sms_receive(row.sender, row.text, f"{row.id}:{row.sender}:{row.received}", gateway="gammu")
    poll_once(db)
    assert Report.objects.count() == 1
    assert processed(db) == {inbox_id: True}
    sent = outbox(db)
    assert len(sent) == 1 and sent[0]["text"] == earlier.reply


def test_operator_broadcasts_are_marked_processed_without_a_reply(gammu_db: tuple[str, GammuDB]) -> None:
    _url, db = gammu_db
    inbox_insert(db, "TELKOMSEL", "Paket internet 10GB hanya Rp10rb")
    inbox_insert(db, PHONE, "", coding="8bit")
    stats = poll_once(db)
    assert stats.skipped == 1 and stats.replies == 0
    assert outbox(db) == [] and not Report.objects.exists()
    assert all(processed(db).values())
    assert InboundMessage.objects.get().outcome == "invalid_sender"


def test_long_replies_use_outbox_multipart(gammu_db: tuple[str, GammuDB]) -> None:
    _url, db = gammu_db
    text = (
        "Pertanyaan petugas: " + "di mana lokasi persis jalan yang rusak, mohon sebutkan desa dan RT/RW. " * 4
    )
    with db.transaction():
        outbox_id = queue_sms(db, PHONE, text)
    row = outbox(db)[0]
    assert str(row["multipart"]).lower() in ("true", "1")
    assert row["udh"].startswith("050003") and row["udh"].endswith("01")
    parts = db.fetchall(
        'SELECT "SequencePosition", "UDH" FROM outbox_multipart WHERE "ID" = %s ORDER BY 1', (outbox_id,)
    )
    total = len(parts) + 1
    assert total == int(row["udh"][8:10], 16) and total >= 2
    assert [p[0] for p in parts] == list(range(2, total + 1))
    assert all(p[1][:8] == row["udh"][:8] for p in parts)  # same reference for every part
    assert full_text(db, outbox_id) == text
    # Text outside the GSM alphabet goes as UCS-2.
    with db.transaction():
        unicode_id = queue_sms(db, PHONE, "Terima kasih 🙏")
    assert [r for r in outbox(db) if r["id"] == unicode_id][0]["coding"] == "Unicode_No_Compression"


def test_poll_command_and_gammu_send_backend(gammu_db: tuple[str, GammuDB], settings: Any) -> None:
    url, db = gammu_db
    settings.ADUAN_GAMMU_DATABASE_URL = url
    inbox_insert(db, PHONE, "LAPOR Trotoar rusak")
    call_command("sms-gammu-poll", "--once")
    assert Report.objects.filter(channel="sms").count() == 1
    settings.ADUAN_SMS_BACKEND = "gammu"
    message_id = send_sms(PHONE, "Laporan Anda sudah ditindaklanjuti.")
    assert message_id.startswith("gammu:")
    assert outbox(db)[-1]["text"] == "Laporan Anda sudah ditindaklanjuti."
    assert outbox(db)[-1]["to"] == PHONE
