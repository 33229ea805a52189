"""The text commands citizens send by SMS (and WhatsApp): one parser, no database access.

LAPOR <isi>            a new report (free text without a keyword is a report too)
CEK <nomor> [kode]     the status of a report
CEK                    the open reports of the sending phone
BALAS <nomor> <teks>   reply to the agency's follow-up
NILAI <nomor> <1-5> [komentar]   rate the handling
SELESAI <nomor>        confirm the report is done
BUKA <nomor> <alasan>  reopen a completed report (within 10 working days)
BANTUAN / HELP         how to use the service
BERHENTI / STOP        no more news about reports to this phone; MULAI turns it on again
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
    STATUS_LIST = "cek_list"  # CEK alone: the open reports of this phone
    OPT_OUT = "berhenti"
    OPT_IN = "mulai"
    HELP = "bantuan"
    EMPTY = "empty"
    ACTION = "action"  # a citizen action on one of their reports (reply, rate, complete, reopen)


# The keyword → the lifecycle action it takes on the citizen's report.
ACTION_WORDS = {"BALAS": "reply", "NILAI": "rate", "SELESAI": "complete", "BUKA": "reopen"}


@dataclass(frozen=True)
class Command:
    verb: Verb
    text: str = ""
    tracking_number: str = ""
    access_code: str = ""
    action: str = ""


_KEYWORD = re.compile(r"^\s*(?P<word>[A-Za-z]+)(?:[\s#:.,;=-]+|$)(?P<rest>.*)$", re.DOTALL)
_CODE = re.compile(r"^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$")


def parse(text: str) -> Command:
    """What a text message asks for."""
    # Already through the one normaliser (aduan.channels.services.inbound_text, in text_receive).
    text = text.strip()
    if not text:
        return Command(Verb.EMPTY)
    match = _KEYWORD.match(text)
    word = match["word"].upper() if match else ""
    rest = match["rest"].strip() if match else ""
    if word in {"BANTUAN", "HELP", "MENU"} and not rest:
        return Command(Verb.HELP)
    # Alone only: "Berhenti total lampu lalu lintas di ..." is a complaint.
    if word in {"BERHENTI", "STOP", "UNREG"} and not rest:
        return Command(Verb.OPT_OUT)
    if word in {"MULAI", "START"} and not rest:
        return Command(Verb.OPT_IN)
    if word == "LAPOR":
        return Command(Verb.REPORT, text=rest)
    if word in ACTION_WORDS:
        number, remainder = _leading_tracking_number(rest.split())
        if number:
            return Command(
                Verb.ACTION, action=ACTION_WORDS[word], tracking_number=number, text=" ".join(remainder)
            )
        # "Selesai kerja bakti, jalan malah rusak" is a new complaint, not a command.
    if word in {"CEK", "STATUS"}:
        tokens = rest.split()
        # "CEK 2611-1234567", "CEK 2611 1234567", "CEK 26111234567 ABCD-EFGH"
        number, remainder = _leading_tracking_number(tokens)
        if number:
            code = remainder[0] if remainder and _CODE.match(remainder[0]) else ""
            return Command(Verb.STATUS, tracking_number=number, access_code=code)
        if not tokens:
            return Command(Verb.STATUS_LIST)
        # "Cek jalan rusak di …" is a complaint that starts with a common word; "CEK 26111" is a typo.
        if any(ch.isdigit() for ch in tokens[0]):
            return Command(Verb.STATUS_USAGE)
    return Command(Verb.TEXT, text=text)


def _leading_tracking_number(tokens: list[str]) -> tuple[str, list[str]]:
    """A tracking number at the start ("2611-1234567", "2611 1234567", "26111234567") and the rest."""
    for size in (2, 1):
        if len(tokens) >= size and (number := normalize_tracking_number(" ".join(tokens[:size]))):
            return number, tokens[size:]
    return "", tokens


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
