"""The one door for text that enters Aduan, whatever the channel (API, web forms and drafts, Open311,
SMS, WhatsApp, email, the console): every text a person or a gateway sends goes through
`normalize_text` before it is checked further or stored.

- NUL and lone surrogates are refused (`invalid_characters`): PostgreSQL cannot store NUL in a
  text column and neither database can encode a lone surrogate, so letting them through fails
  the statement (and, in a group commit, the statement of every report in the group). The text
  channels, whose senders cannot fix their phone's encoding, keep such a message with those
  characters replaced (`replace_invalid`) so staff can read it; see aduan.channels.services.
- Other control characters are dropped, line ends become "\\n", and a single-line field gets
  its line breaks and tabs as spaces.
- Unicode NFC: "é" typed as e + combining accent and as one character are the same text (search,
  duplicates, lengths).
- Leading and trailing white space is stripped; then the required check and the length limit.

It runs for every field of every submission (1,000 reports/s on the intake path), so ordinary
text takes a fast path: `str.isprintable()` (C, one pass) rules out every character above (a
multi-line text is checked again without its line breaks), and `unicodedata.normalize` starts
with its own quick check; the regular expressions only run on the rare text that needs them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from aduan.core.errors import InvalidInput

# Characters no text column can hold: NUL and the UTF-16 surrogate range (alone, as JSON's "\ud800"
# or a decoder's surrogateescape produces them; a valid pair is decoded into one code point).
_INVALID = re.compile("[\x00\ud800-\udfff]")
# The control characters other than tab, line feed and carriage return (made line feeds first).
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
REPLACEMENT = "\ufffd"


def normalize_text(
    value: Any,
    *,
    field: str,
    label: str | Promise,
    max_length: int | None = None,
    required: bool = False,
    multiline: bool = False,
    replace_invalid: bool = False,
) -> str:
    """`value` as Aduan stores text, or InvalidInput with a stable code (`invalid_<field>`,
    `invalid_characters`, `<field>_required`, `<field>_too_long`) and a message naming `label`.

    None counts as empty. With `replace_invalid`, NUL is dropped and a lone surrogate becomes
    U+FFFD instead of being refused."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(
            _("%(label)s harus berupa teks.") % {"label": label}, code=f"invalid_{field}", field=field
        )
    if not value.isprintable():
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if not value.replace("\n", "").replace("\t", "").isprintable():
            # Rarely: something besides line breaks and tabs (a control character, NUL, a lone
            # surrogate, or a printable space such as U+00A0 that isprintable() counts out).
            if "\x00" in value or _has_surrogate(value):
                if not replace_invalid:
                    raise InvalidInput(
                        _("%(label)s berisi karakter yang tidak sah (NUL atau surrogate tunggal).")
                        % {"label": label},
                        code="invalid_characters",
                        field=field,
                    )
                value = _INVALID.sub(lambda m: "" if m.group() == "\x00" else REPLACEMENT, value)
            value = _CONTROL.sub("", value)
        if not multiline:
            value = value.replace("\n", " ").replace("\t", " ")
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    value = value.strip()
    if required and not value:
        raise InvalidInput(
            _("%(label)s wajib diisi.") % {"label": label}, code=f"{field}_required", field=field
        )
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(
            _("%(label)s terlalu panjang (maksimal %(max)s karakter).")
            % {"label": label, "max": f"{max_length:,}".replace(",", ".")},
            code=f"{field}_too_long",
            field=field,
        )
    return value


def has_invalid_characters(value: str) -> bool:
    """Whether `value` holds a character `normalize_text` refuses (NUL, a lone surrogate)."""
    return not value.isprintable() and ("\x00" in value or _has_surrogate(value))


def _has_surrogate(value: str) -> bool:
    # Encoding is several times faster than a regular expression over a non-ASCII text.
    try:
        value.encode()
    except UnicodeEncodeError:
        return True
    return False
