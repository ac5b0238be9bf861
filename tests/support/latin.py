"""Find Latin words in a text meant to be Chinese, past what may stay Latin there.

What may stay: case numbers and dates (digits), URLs, ``/commands``, file names with an
extension, codes mixing letters and digits (``M001``, ``Q4``, ``inv-3fa9``), HTML tags and
entities of Telegram's formatting, emoji, single letters, and a short list of units and
names that have no Chinese form in use (``PDF``, ``km``).
"""

from __future__ import annotations

import html
import re

ALLOWED_WORDS = frozenset(
    {
        # file formats and units people read as they are
        "PDF",
        "XLSX",
        "Excel",
        "CSV",
        "PNG",
        "JPG",
        "JPEG",
        "ICS",
        "QR",
        "MB",
        "KB",
        "km",
        # the language choice names English in English, as every language menu does
        "English",
        # the channels by their own names
        "Telegram",
        "WeChat",
    }
)

_TAG = re.compile(r"<[^<>]*>")
_URL = re.compile(r"\b(?:https?|tg|mailto)://\S+|\bwww\.\S+")
_COMMAND = re.compile(r"(?<![\w/])/[a-z][a-z0-9_]*(?:@\w+)?")
_FILE = re.compile(r"[\w.\-]+\.(?:xlsx|csv|pdf|png|jpe?g|ics|docx?|txt|zip|json)\b", re.I)
# A run of letters not touching a digit, a letter or an underscore on either side.
_WORD = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z]{2,}(?![A-Za-z0-9_\-])")
# Codes: letters joined by a hyphen or underscore to digits, or to other code parts.
_CODE = re.compile(r"\b[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+\b")


def latin_words(text: str) -> list[str]:
    """The Latin words in ``text`` that a Chinese reader should not meet."""
    plain = html.unescape(_TAG.sub(" ", text))
    for pattern in (_URL, _FILE, _COMMAND):
        plain = pattern.sub(" ", plain)
    plain = _CODE.sub(
        lambda match: " " if re.search(r"\d", match.group()) else match.group(), plain
    )
    return [word for word in _WORD.findall(plain) if word not in ALLOWED_WORDS]
