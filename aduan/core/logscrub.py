"""A logging filter that blanks access codes out of every log line (issue 13), and the personal
data a log line may quote: phone numbers, e-mail addresses and NIKs (issue 18, UU 27/2022).

Access codes travel in the X-Access-Code header or a POST body, never in an address, but a client
may still put one in a query string, and replies quoted in a log (an SMS, an email) hold one. The
filter sits on the handlers in settings.LOGGING, so it sees every record that is written,
Django's request and server logs included. Tracking numbers stay: they are public (the feed
shows them) and they are how an operator finds a report from its log lines.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[disaring]"
_CODE = r"[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}"
# "disaring" is itself eight letters: scrubbing a scrubbed line again (the JSON formatter does)
# must leave it as it is.
_DONE = "disaring]"
_PATTERNS = [
    # ?access_code=K7QM-3XPA, &kode_akses=…, JSON "access_code": "…", X-Access-Code: …
    re.compile(r"(?i)((?:access[_-]?code|kode[_ -]?akses)[\"']?\s*[:=]\s*[\"']?)([^\s&\"',;]+)"),
    # "kode akses: K7QM-3XPA", "kode akses K7QM-3XPA" (replies quoted in a log)
    re.compile(rf"(?i)(kode akses(?: anda)?\W{{0,3}})(?!{_DONE})({_CODE})\b"),
    # CEK <nomor> <kode>: the SMS command that carries a code
    re.compile(rf"(?i)(\bCEK\s+[0-9]{{4}}-[0-9]{{3,10}}\s+)(?!{_DONE})({_CODE})\b"),
    # An e-mail address (the group keeps nothing of it).
    re.compile(r"()[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # An Indonesian mobile number as a citizen writes it or as we store it (E.164): 0812-3456-7890,
    # +62 812 3456 7890, 6281234567890. Not a tracking number (2611-0482913: no leading 08/62).
    re.compile(
        r"(?<![\w+])(?<!\d-)()(?:\+62|62|0)[\s-]?8\d{1,3}(?:[\s.-]?\d{3,4}){1,2}[\s.-]?\d{2,5}(?![\w])"
    ),
    # A NIK: 16 digits.
    re.compile(r"(?<!\d)()\d{16}(?!\d)"),
]


def scrub(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class ScrubAccessCodes(logging.Filter):
    """Rewrites a record's message with every access code replaced; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's business, not ours
            return True
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True
