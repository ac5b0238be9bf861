"""Reading what people type: dates and counts, in the ways people write them."""

from __future__ import annotations

import datetime as dt
import re

_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SHORT_DATE = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COUNT = re.compile(r"^(\d{1,6})\s*(?:人次|人|people|persons?|person-times)?$", re.IGNORECASE)
TODAY_WORDS = frozenset({"today", "今天", "今日"})
YESTERDAY_WORDS = frozenset({"yesterday", "昨天", "昨日"})


def parse_day(text: str, today: dt.date) -> dt.date | None:
    """A date typed as 2026-11-20, 2026/11/20, 2026年11月20日, 11-20, today or yesterday."""
    value = text.strip().lower()
    if value in TODAY_WORDS:
        return today
    if value in YESTERDAY_WORDS:
        return today - dt.timedelta(days=1)
    match = _FULL_DATE.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _SHORT_DATE.match(value)
        if not match:
            return None
        year, (month, day) = today.year, (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_count(text: str) -> int | None:
    """A whole number, optionally followed by 人, 人次 or "people"."""
    match = _COUNT.match(text.strip())
    return int(match.group(1)) if match else None
