"""A stemmed shadow of report text for search (SQLite has no Indonesian stemmer)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=50_000)
def _stem_word(word: str) -> str:
    """The stem of a word of more than three letters; a short word or a number as it is."""
    if len(word) <= 3 or word.isdigit():
        return word
    return str(_stemmer().stem(word))


def stem_for_search(text: str) -> str:
    """Lower-cased, stemmed words (perbaikan → baik), each once, in first-seen order."""
    return " ".join(dict.fromkeys(map(_stem_word, _WORD.findall(text.lower()[:20_000]))))
