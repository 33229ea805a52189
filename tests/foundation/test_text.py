"""The one text normaliser (aduan.core.text): what every text that enters Aduan goes through."""

from __future__ import annotations

from typing import Any

import pytest

from aduan.core.errors import InvalidInput
from aduan.core.text import has_invalid_characters, normalize_text


def norm(value: Any, **options: Any) -> str:
    return normalize_text(value, field="judul", label="Judul", **options)


@pytest.mark.parametrize(
    ("raw", "multiline", "expected"),
    [
        ("  Jalan rusak  ", False, "Jalan rusak"),
        (None, False, ""),
        ("Cafe\u0301", False, "Caf\u00e9"),  # NFC: one code point
        ("baris 1\r\nbaris 2\rbaris 3", True, "baris 1\nbaris 2\nbaris 3"),
        ("baris 1\r\nbaris 2\tkolom", False, "baris 1 baris 2 kolom"),
        ("bel\x07 dan\x1b escape\x7f", True, "bel dan escape"),
        ("spasi\u00a0tak putus", False, "spasi\u00a0tak putus"),  # printable, kept
        ("emoji \U0001f600 utuh", False, "emoji \U0001f600 utuh"),  # a valid pair is one character
    ],
)
def test_text_is_normalised(raw: Any, multiline: bool, expected: str) -> None:
    assert norm(raw, multiline=multiline) == expected


@pytest.mark.parametrize("raw", ["nul\x00", "\ud800", "ekor \udfff", "pasangan terbalik \udc00\ud800"])
def test_nul_and_lone_surrogates_are_refused_or_replaced(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        norm(raw, multiline=True)
    assert refused.value.code == "invalid_characters" and refused.value.field == "judul"
    assert "Judul" in refused.value.message
    assert has_invalid_characters(raw)
    kept = norm(raw, multiline=True, replace_invalid=True)
    assert not has_invalid_characters(kept) and "\x00" not in kept
    kept.encode()  # storable


@pytest.mark.parametrize(
    ("raw", "options", "code"),
    [
        (5, {}, "invalid_judul"),
        (["a"], {}, "invalid_judul"),
        ("   ", {"required": True}, "judul_required"),
        ("a" * 201, {"max_length": 200}, "judul_too_long"),
    ],
)
def test_refusals_have_stable_codes(raw: Any, options: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        norm(raw, **options)
    assert refused.value.code == code


def test_the_limit_counts_the_normalised_text() -> None:
    # 200 decomposed characters (e + accent) are 200 characters once composed.
    assert len(norm("e\u0301" * 200, max_length=200)) == 200
    with pytest.raises(InvalidInput, match="maksimal 20.000 karakter"):
        norm("a" * 20_001, max_length=20_000)


def test_ordinary_text_has_nothing_invalid() -> None:
    assert not has_invalid_characters("Jalan rusak\ndi Desa Nglumpang \u201cparah\u201d")
