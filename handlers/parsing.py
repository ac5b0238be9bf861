"""Reading what people type: dates and counts, in the ways people write them."""

from __future__ import annotations

import datetime as dt
import re

_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SHORT_DATE = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TIME = re.compile(r"^(\d{1,2})\s*[:：.点]\s*(\d{2})?\s*分?$")
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


def parse_moment(
    text: str, today: dt.date, tz: dt.tzinfo, day: dt.date | None = None
) -> dt.datetime | None:
    """``2026-12-05 14:30``, ``12-05 14:30``, or only ``17:00`` when ``day`` is known; in UTC."""
    parts = text.strip().rsplit(maxsplit=1)
    if len(parts) == 2:
        day = parse_day(parts[0], today)
        clock = parts[1]
    else:
        clock = parts[0] if parts else ""
    match = _TIME.match(clock)
    if day is None or match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)
