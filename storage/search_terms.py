"""Words of a text for the case search: jieba's segmentation, loaded once and lazily.

A case's description is kept beside it as its terms (``issue_search.terms``): jieba's
search-mode words (long words and the shorter words inside them), lower-cased, punctuation
dropped, joined by spaces. A query is cut the same way (jieba's precise mode) and every one of
its words must occur in a case's terms. Plain ``LIKE`` on that column behaves the same on SQLite
and PostgreSQL, which neither database's own full-text search does for Chinese.

jieba takes about a second to build its dictionary. It is built the first time words are
needed, once per process, behind a lock; the app calls :func:`preload` in a thread at start
so no chat waits for it. Importing this module costs nothing.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from typing import Any

_lock = threading.Lock()
_tokenizer: Any = None
# A word worth searching for has a letter or a digit; punctuation, "_" and spaces are not.
_WORD_RE = re.compile(r"[^\W_]")


def _jieba() -> Any:
    """The tokenizer of jieba with its dictionary loaded: built once, on first use."""
    global _tokenizer  # one dictionary a process, as jieba keeps its own default
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def preload() -> None:
    """Load jieba's dictionary now (the app does it in a thread at start)."""
    _jieba()


def _normal(text: str) -> str:
    """Full-width letters and digits as half-width, lower case: what both sides compare."""
    return unicodedata.normalize("NFKC", text).lower()


def _words(tokens: Any) -> list[str]:
    """Tokens that are words, stripped, each once, in their order."""
    seen: dict[str, None] = {}
    for token in tokens:
        word = str(token).strip()
        if word and _WORD_RE.search(word):
            seen.setdefault(word, None)
    return list(seen)


def index_terms(text: str) -> str:
    """A description's terms as stored: search-mode words joined by spaces."""
    return " ".join(_words(_jieba().cut_for_search(_normal(text))))


def query_terms(text: str) -> list[str]:
    """The words of a query, each of which a case's terms must contain."""
    return _words(_jieba().cut(_normal(text)))
