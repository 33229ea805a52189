"""Personal data in free text: found with lokal's Samaran plus the reporter's own record, masked for
every public output.

Detection costs a few milliseconds a text, so it never runs at intake (1,000 reports/s): the
masked public text is derived once, by the lifecycle writer, when a report becomes public or its
text is edited (verification) and when a follow-up is published; public selectors read only that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lokal.samaran import PiiType, detect_pii

# Identifiers that single out a person. Not the UU PDP attributes (health, religion, finance...):
# in a complaint they are its subject ("puskesmas menolak pasien diabetes") and name nobody.
MASKED_TYPES: tuple[PiiType, ...] = (
    "NIK",
    "KK",
    "NPWP",
    "PASSPORT",
    "SIM",
    "NIP",
    "BPJS",
    "NISN",
    "AKTA",
    "PHONE",
    "EMAIL",
    "BANK_ACCOUNT",
    "CARD",
    "PLATE",
    "IP",
    "GEO",
    "NAME",
    "ADDRESS",
    "BIRTH_DATE",
)

# What replaces a value in the public text (the citizen's text is Indonesian; so are the marks).
_MARKS = {
    "NAME": "[nama]",
    "NIK": "[NIK]",
    "KK": "[KK]",
    "PHONE": "[telepon]",
    "EMAIL": "[email]",
    "ADDRESS": "[alamat]",
}
_OTHER_MARK = "[data pribadi]"
# Words of a name field that are titles, not the name ("Bapak Sugeng" → mask "Sugeng").
_TITLES = frozenset({"bapak", "pak", "ibu", "bu", "sdr", "sdri", "saudara", "saudari", "haji", "hajah", "hj"})


@dataclass(frozen=True)
class OwnData:
    """The reporter's own record: matched in every spelling even where Samaran sees nothing."""

    name: str = ""
    phone: str = ""
    email: str = ""
    nik: str = ""


def own_data_of(reporter: Any) -> OwnData:
    """The OwnData of a Reporter (or any object with its name, phone, email and nik)."""
    return OwnData(
        name=reporter.name or "",
        phone=reporter.phone or "",
        email=reporter.email or "",
        nik=reporter.nik or "",
    )


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # a Samaran PiiType, or REPORTER_<field> for the reporter's own record
    value: str


def _digits_pattern(digits: str) -> str:
    # "081234567890" also as "0812-3456-7890", "0812 3456 7890", "0812.3456.7890".
    return r"[\s.\-]?".join(re.escape(d) for d in digits)


def _own_patterns(own: OwnData) -> list[tuple[str, re.Pattern[str]]]:
    patterns: list[tuple[str, re.Pattern[str]]] = []
    name = own.name.strip()
    if name:
        words = [w for w in re.split(r"[\s,.]+", name) if w]
        patterns.append(
            ("REPORTER_NAME", re.compile(r"\b" + r"[\s,.]+".join(map(re.escape, words)) + r"\b", re.I))
        )
        for word in words:
            if len(word) >= 3 and word.lower() not in _TITLES:
                patterns.append(("REPORTER_NAME", re.compile(rf"\b{re.escape(word)}\b", re.I)))
    digits = re.sub(r"\D", "", own.phone)
    if len(digits) >= 8:
        # Stored as E.164 (+62…): the national number, with 0, 62 or +62 in front, any separators.
        national = digits[2:] if digits.startswith("62") else digits.lstrip("0")
        prefix = r"(?:(?:\+\s?)?62[\s.\-]?|\(?0)"
        patterns.append(
            ("REPORTER_PHONE", re.compile(rf"(?<!\d){prefix}\)?[\s.\-]?{_digits_pattern(national)}(?!\d)"))
        )
    if own.email.strip():
        patterns.append(("REPORTER_EMAIL", re.compile(re.escape(own.email.strip()), re.I)))
    nik = re.sub(r"\D", "", own.nik)
    if len(nik) >= 8:
        patterns.append(("REPORTER_NIK", re.compile(rf"(?<!\d){_digits_pattern(nik)}(?!\d)")))
    return patterns


def personal_data_spans(
    text: str, own: OwnData | None = None, *, types: tuple[PiiType, ...] = MASKED_TYPES
) -> list[Span]:
    """Every stretch of `text` that is personal data, merged where they overlap, in order."""
    if not text:
        return []
    found = [Span(m.start, m.end, m.type, m.value) for m in detect_pii(text, types=types)]
    for kind, pattern in _own_patterns(own or OwnData()):
        found.extend(Span(m.start(), m.end(), kind, m.group(0)) for m in pattern.finditer(text))
    merged: list[Span] = []
    for span in sorted(found, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                merged[-1] = Span(last.start, span.end, last.kind, text[last.start : span.end])
            continue
        merged.append(span)
    return merged


def _mark(kind: str) -> str:
    return _MARKS.get(kind.removeprefix("REPORTER_"), _OTHER_MARK)


def redact(text: str, spans: Iterable[Span]) -> str:
    """`text` with every span replaced by its mark ("[nama]", "[telepon]", ...)."""
    out, cursor = [], 0
    for span in spans:
        out.append(text[cursor : span.start])
        out.append(_mark(span.kind))
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


def mask_personal_data(
    text: str, own: OwnData | None = None, *, types: tuple[PiiType, ...] = MASKED_TYPES
) -> str:
    """The public form of a free text: personal data replaced by marks."""
    return redact(text, personal_data_spans(text, own, types=types))


# A report's address field says where the problem is: its street and number stay, as do
# coordinates; a name or phone written into it does not ("depan rumah Pak Budi, 0812…").
ADDRESS_FIELD_TYPES = tuple(t for t in MASKED_TYPES if t not in ("ADDRESS", "GEO"))


def mask_address_field(text: str, own: OwnData | None = None) -> str:
    return mask_personal_data(text, own, types=ADDRESS_FIELD_TYPES)


def highlight_segments(text: str, spans: Iterable[Span]) -> list[tuple[str, str]]:
    """(text, kind) pieces for staff screens: kind '' for plain text, the span's kind otherwise."""
    pieces, cursor = [], 0
    for span in spans:
        if span.start > cursor:
            pieces.append((text[cursor : span.start], ""))
        pieces.append((text[span.start : span.end], span.kind))
        cursor = span.end
    if cursor < len(text):
        pieces.append((text[cursor:], ""))
    return pieces


def personal_data_review(title: str, text: str, own: OwnData | None) -> dict[str, Any] | None:
    """Personal data in a title and text under review: the count, the pieces to highlight and the
    masked title and text (as `mask_personal_data` gives them); None when there is none."""
    title_spans, text_spans = personal_data_spans(title, own), personal_data_spans(text, own)
    if not title_spans and not text_spans:
        return None
    return {
        "count": len(title_spans) + len(text_spans),
        "title": highlight_segments(title, title_spans),
        "text": highlight_segments(text, text_spans),
        "masked_title": redact(title, title_spans),
        "masked_text": redact(text, text_spans),
    }
