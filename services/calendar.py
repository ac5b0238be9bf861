"""Dates of the committee: "today", quarters and their edges, in the committee's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.clock import local_date as local_today

__all__ = ["Quarter", "local_today", "year_fraction"]


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, e.g. 2026 Q4."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        """The quarter a date falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        """Its first day."""
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """Its last day."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        """The quarter after."""
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        """The quarter before."""
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def days_left(self, today: dt.date) -> int:
        """Days from ``today`` to the quarter's last day, both counted; 0 once it is over."""
        return max(0, (self.end - today).days + 1)

    def __str__(self) -> str:
        return f"{self.year} Q{self.number}"


def year_fraction(today: dt.date) -> float:
    """How much of the year has passed by the end of ``today`` (0 < f <= 1)."""
    start = dt.date(today.year, 1, 1)
    length = (dt.date(today.year + 1, 1, 1) - start).days
    return ((today - start).days + 1) / length
