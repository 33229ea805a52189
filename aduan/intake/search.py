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
    return str(_stemmer().stem(word))


def stem_for_search(text: str) -> str:
    """Lower-cased, stemmed words (perbaikan → baik), each once, in first-seen order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()[:20_000]):
        seen.setdefault(_stem_word(word) if len(word) > 3 and not word.isdigit() else word, None)
    return " ".join(seen)
