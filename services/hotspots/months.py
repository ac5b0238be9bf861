"""Months of hotspot runs: ``YYYY-MM`` text, and their edges in the committee's time zone."""

from __future__ import annotations

import datetime as dt
import re

from services.errors import DomainError

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str) -> str:
    """A month as ``YYYY-MM``; refused (``hotspot_bad_month``) when it is not one."""
    match = _MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise DomainError("hotspot_bad_month", value=text)
    return f"{int(match[1]):04d}-{int(match[2]):02d}"


def month_bounds(month: str, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the month and of the next one, in UTC."""
    year, number = (int(part) for part in parse_month(month).split("-"))
    following = (year + number // 12, number % 12 + 1)
    start = dt.datetime(year, number, 1, tzinfo=tz)
    end = dt.datetime(following[0], following[1], 1, tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def previous_month(month: str) -> str:
    """The month before."""
    year, number = (int(part) for part in parse_month(month).split("-"))
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def month_of(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """The month a moment falls in, locally."""
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"
