"""How a national topic's name reads in prose and on the citizen's pages.

The national tree writes every name in capitals ("NETRALITAS ASN"). Staff screens show it exactly
so; the citizen's form and the evaluation's prose use sentence case with the acronyms kept
("Netralitas ASN", "Pendidikan dan kebudayaan"), never str.title() or str.capitalize(), which
make "Netralitas Asn" and "Netralitas asn".
"""

from __future__ import annotations

import re

_ACRONYM = re.compile(r"^\(?[A-Z0-9!-]*[0-9!-][A-Z0-9!-]*\)?$|^\([A-Z]+\)$")
_KEEP_UPPER = {"ASN", "WNI", "RI", "MBG", "SRGI", "BUMN", "BPJS", "KTP", "TIK"}


def nice_category_name(name: str) -> str:
    """National topics are written in capitals; show them in sentence case, acronyms kept."""
    if not name.isupper():
        return name
    words = []
    for i, word in enumerate(name.split()):
        bare = word.strip("(),")
        if bare in _KEEP_UPPER or _ACRONYM.match(word):
            words.append(word)
        else:
            words.append(word.capitalize() if i == 0 else word.lower())
    return " ".join(words)
