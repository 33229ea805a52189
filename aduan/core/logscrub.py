"""A logging filter that blanks access codes out of every log line (issue 13).

Access codes travel in the X-Access-Code header or a POST body, never in an address, but a client
may still put one in a query string, and replies quoted in a log (an SMS, an email) hold one. The
filter sits on the handlers in settings.LOGGING, so it sees every record that is written,
Django's request and server logs included.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[disaring]"
_CODE = r"[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}"
_PATTERNS = [
    # ?access_code=K7QM-3XPA, &kode_akses=…, JSON "access_code": "…", X-Access-Code: …
    re.compile(r"(?i)((?:access[_-]?code|kode[_ -]?akses)[\"']?\s*[:=]\s*[\"']?)([^\s&\"',;]+)"),
    # "kode akses: K7QM-3XPA", "kode akses K7QM-3XPA" (replies quoted in a log)
    re.compile(rf"(?i)(kode akses(?: anda)?\W{{0,3}})({_CODE})\b"),
    # CEK <nomor> <kode>: the SMS command that carries a code
    re.compile(rf"(?i)(\bCEK\s+[0-9]{{4}}-[0-9]{{3,10}}\s+)({_CODE})\b"),
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
