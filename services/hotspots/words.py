"""The words a report is compared by: jieba's precise-mode words without the stop words.

jieba's dictionary is loaded once a process (``storage.search_terms``), quietly. The stop words
are this project's list (``stopwords.txt``): the particles and the complaint formulas every
report shares ("反映", "希望", "尽快"), which would otherwise make unrelated reports look alike.
"""

from __future__ import annotations

import functools
from pathlib import Path

from storage.search_terms import query_terms

STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")


@functools.cache
def stopwords() -> frozenset[str]:
    """The project's stop words, read once."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").split()
    return frozenset(word.strip() for word in lines if word.strip())


def words_of(text: str) -> list[str]:
    """The words of a text that say something: no stop words, no single digits or letters."""
    stop = stopwords()
    return [w for w in query_terms(text) if w not in stop and not (len(w) == 1 and w.isascii())]
