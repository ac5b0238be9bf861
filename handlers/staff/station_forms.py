"""What staff type for the station work: an open session in a few lines, a duty turn in one.

A session reads (the venue and the description may be left out)::

    Title
    2026-11-25 14:00-16:00
    Venue
    What it is about

A turn reads ``M001 2026-11-25 9-12``: the member's code, the day, the local hours.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WHEN = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})$")
TURN = re.compile(r"^(\S+)\s+(\d{4}-\d{2}-\d{2})\s+(\d{1,2})\s*[-–~]\s*(\d{1,2})$")


class FormError(ValueError):
    """The typed text does not follow the form."""


@dataclass(frozen=True)
class SessionForm:
    """A session as staff typed it; times are local."""

    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    description: str


@dataclass(frozen=True)
class TurnForm:
    """A turn as staff typed it."""

    member_code: str
    day: dt.date
    start_hour: int
    end_hour: int


def parse_session(text: str, tz: dt.tzinfo) -> SessionForm:
    """The session typed in lines: title, date and hours, venue, description."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 2:
        raise FormError("lines")
    match = WHEN.match(lines[1])
    if match is None:
        raise FormError("when")
    day_text, h1, m1, h2, m2 = match.groups()
    try:
        day = dt.date.fromisoformat(day_text)
        starts = dt.datetime.combine(day, dt.time(int(h1), int(m1)), tzinfo=tz)
        ends = dt.datetime.combine(day, dt.time(int(h2), int(m2)), tzinfo=tz)
    except ValueError as error:
        raise FormError("when") from error
    return SessionForm(
        title=lines[0],
        starts_at=starts.astimezone(dt.UTC),
        ends_at=ends.astimezone(dt.UTC),
        venue=lines[2] if len(lines) > 2 else "",
        description="\n".join(lines[3:]),
    )


def parse_turn(text: str) -> TurnForm:
    """``M001 2026-11-25 9-12``."""
    match = TURN.match(text.strip())
    if match is None:
        raise FormError("turn")
    code, day_text, start, end = match.groups()
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError as error:
        raise FormError("turn") from error
    return TurnForm(code, day, int(start), int(end))
