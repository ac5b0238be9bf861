"""The one source of "now": services, planners and loops read it, tests move it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

UTC = dt.UTC


class Clock(Protocol):
    """Anything that tells the current UTC time."""

    def now(self) -> dt.datetime:
        """Return the current time, timezone-aware in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> dt.datetime:
        """Return the wall-clock time in UTC."""
        return dt.datetime.now(UTC)


class ShiftedClock:
    """A clock that starts at a chosen moment and then runs at wall-clock speed.

    For rehearsals and for tests that start the whole app in another process: the app
    sees the same calendar whatever day it really is.
    """

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self._offset = start.astimezone(UTC) - dt.datetime.now(UTC)

    def now(self) -> dt.datetime:
        """Return the wall-clock time moved by the offset chosen at the start."""
        return dt.datetime.now(UTC) + self._offset


class ScaledClock:
    """A clock that reads ``start`` at ``origin`` and then runs ``speed`` times the wall clock.

    For simulations that compress a year into minutes. Every process given the same three
    values on one machine reads the same time, so several workers share one calendar.
    """

    def __init__(self, start: dt.datetime, *, speed: float, origin: dt.datetime) -> None:
        if start.tzinfo is None or origin.tzinfo is None:
            raise ValueError("ScaledClock needs aware datetimes")
        if speed <= 0:
            raise ValueError("ScaledClock needs a positive speed")
        self.speed = speed
        self._start = start.astimezone(UTC)
        self._origin = origin.astimezone(UTC)

    def now(self) -> dt.datetime:
        """Return ``start`` plus the wall-clock time since ``origin``, times the speed."""
        return self._start + (dt.datetime.now(UTC) - self._origin) * self.speed


class ManualClock:
    """A clock that only moves when told to; for tests and simulations."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> dt.datetime:
        """Return the frozen time."""
        return self._now

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward (or back, for a negative delta)."""
        self._now += delta

    def set(self, moment: dt.datetime) -> None:
        """Jump to a given moment."""
        self._now = moment.astimezone(UTC)


def local_date(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """Return the calendar date of ``moment`` in the committee's time zone."""
    return moment.astimezone(tz).date()
