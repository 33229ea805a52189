"""The SMS command parser and SMS splitting: pure functions, no database."""

from __future__ import annotations

import pytest

from aduan.channels.gammu import parse_udh, split_sms
from aduan.channels.textcommands import Verb, parse, title_from


@pytest.mark.parametrize(
    ("text", "verb", "body"),
    [
        ("LAPOR Jalan rusak di Desa Nglumpang", Verb.REPORT, "Jalan rusak di Desa Nglumpang"),
        ("lapor#Lampu PJU mati", Verb.REPORT, "Lampu PJU mati"),
        ("Lapor: sampah menumpuk", Verb.REPORT, "sampah menumpuk"),
        ("LAPOR", Verb.REPORT, ""),
        ("Sampah menumpuk di pasar", Verb.TEXT, "Sampah menumpuk di pasar"),
        ("Cek jalan rusak di Jenangan", Verb.TEXT, "Cek jalan rusak di Jenangan"),
        ("   ", Verb.EMPTY, ""),
        ("BANTUAN", Verb.HELP, ""),
        ("info jalan rusak", Verb.TEXT, "info jalan rusak"),
    ],
)
def test_parse_verbs(text: str, verb: Verb, body: str) -> None:
    command = parse(text)
    assert command.verb is verb
    assert command.text == body


@pytest.mark.parametrize(
    ("text", "number", "code"),
    [
        ("CEK 2611-123456", "2611-123456", ""),
        ("cek 2611123456", "2611-123456", ""),
        ("CEK 2611 123456 abcd-efgh", "2611-123456", "abcd-efgh"),
        ("STATUS 2611-123456 ABCDEFGH", "2611-123456", "ABCDEFGH"),
    ],
)
def test_parse_status(text: str, number: str, code: str) -> None:
    command = parse(text)
    assert command.verb is Verb.STATUS
    assert (command.tracking_number, command.access_code) == (number, code)


def test_cek_with_a_broken_number_asks_for_the_format() -> None:
    assert parse("CEK 26111").verb is Verb.STATUS_USAGE
    assert parse("CEK").verb is Verb.STATUS_LIST  # the open reports of the sending phone


def test_title_from_first_words() -> None:
    assert title_from("Jalan rusak") == "Jalan rusak"
    long = "Jalan di Desa Nglumpang rusak parah sejak bulan lalu dan belum diperbaiki sama sekali"
    title = title_from(long)
    assert title.startswith("Jalan di Desa Nglumpang") and title.endswith("...")
    assert len(title) <= 83


def test_split_sms_gsm_and_unicode() -> None:
    assert split_sms("a" * 160) == ("Default_No_Compression", ["a" * 160])
    coding, parts = split_sms("a" * 161)
    assert coding == "Default_No_Compression" and [len(p) for p in parts] == [153, 8]
    # An extension character costs two septets and is never split from its escape.
    coding, parts = split_sms("{" * 81)
    assert [len(p) for p in parts] == [76, 5]
    coding, parts = split_sms("Jalan rusak 🙏" * 10)
    assert coding == "Unicode_No_Compression"
    assert "".join(parts) == "Jalan rusak 🙏" * 10
    assert all(len(p.encode("utf-16-le")) // 2 <= 67 for p in parts)


def test_parse_udh() -> None:
    concat = parse_udh("050003A70302")
    assert concat is not None and (concat.reference, concat.total, concat.seq) == (0xA7, 3, 2)
    concat16 = parse_udh("0608041234020 1".replace(" ", ""))
    assert concat16 is not None and (concat16.reference, concat16.total, concat16.seq) == (0x1234, 2, 1)
    assert parse_udh("") is None
    assert parse_udh("zz") is None
