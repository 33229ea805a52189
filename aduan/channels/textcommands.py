"""The text commands citizens send by SMS (and WhatsApp): one parser, no database access.

LAPOR <isi>            a new report (free text without a keyword is a report too)
CEK <nomor> [kode]     the status of a report
BANTUAN / HELP         how to use the service
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from aduan.intake.services import normalize_tracking_number


class Verb(StrEnum):
    REPORT = "lapor"  # explicit LAPOR: always a new report
    TEXT = "text"  # free text: a new report, or the answer to a pending clarification question
    STATUS = "cek"
    STATUS_USAGE = "cek_usage"  # CEK with something that is not a tracking number
    HELP = "bantuan"
    EMPTY = "empty"


@dataclass(frozen=True)
class Command:
    verb: Verb
    text: str = ""
    tracking_number: str = ""
    access_code: str = ""


_KEYWORD = re.compile(r"^\s*(?P<word>[A-Za-z]+)(?:[\s#:.,;=-]+|$)(?P<rest>.*)$", re.DOTALL)
_CODE = re.compile(r"^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$")


def clean_text(text: str) -> str:
    """Drop NULs and control characters that phones and gateways sometimes add; keep line breaks."""
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or ord(ch) >= 32)
    return text.strip()


def parse(text: str) -> Command:
    """What a text message asks for."""
    text = clean_text(text)
    if not text:
        return Command(Verb.EMPTY)
    match = _KEYWORD.match(text)
    word = match["word"].upper() if match else ""
    rest = match["rest"].strip() if match else ""
    if word in {"BANTUAN", "HELP", "MENU"} and not rest:
        return Command(Verb.HELP)
    if word == "LAPOR":
        return Command(Verb.REPORT, text=rest)
    if word in {"CEK", "STATUS"}:
        tokens = rest.split()
        # "CEK 2611-1234567", "CEK 2611 1234567", "CEK 26111234567 ABCD-EFGH"
        candidates = [(" ".join(tokens[:2]), tokens[2:]), (tokens[0] if tokens else "", tokens[1:])]
        for candidate, remainder in candidates:
            number = normalize_tracking_number(candidate)
            if number:
                code = remainder[0] if remainder and _CODE.match(remainder[0]) else ""
                return Command(Verb.STATUS, tracking_number=number, access_code=code)
        # "Cek jalan rusak di …" is a complaint that starts with a common word; "CEK 26111" is a typo.
        if not tokens or any(ch.isdigit() for ch in tokens[0]):
            return Command(Verb.STATUS_USAGE)
    return Command(Verb.TEXT, text=text)


def title_from(text: str, *, words: int = 8, max_length: int = 80) -> str:
    """A report title from the first words of a message."""
    flat = " ".join(text.split())
    parts = flat.split(" ")
    title = " ".join(parts[:words])
    if len(title) > max_length:
        title = title[:max_length].rsplit(" ", 1)[0] or title[:max_length]
    if title != flat:
        title = title.rstrip(".,;:!?-") + "..."
    return title
