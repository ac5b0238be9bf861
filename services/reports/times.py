"""Staff reports: how long cases take, and how many are answered within their due date.

Over the cases received in the period within reach (see :class:`services.reports.cases.Reach`),
merged duplicates (status ``duplicate``) left out:

- *time to the first answer* is ``answered_at - created_at``, over the cases that have a
  first public answer; its median is reported;
- *time to resolution* is ``resolved_at - created_at``, over the resolved cases; median too;
- *answered within the due date*: of the cases with a due date that were answered, or whose
  due date had passed at ``now`` without an answer, the share answered at or before the due
  date (``answered_at <= due_at``). Unanswered cases still within their due date are not
  counted either way: they can still make it.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.reports.cases import Reach, check_reach, stations_in_reach
from storage.enums import IssueStatus
from storage.models import Issue, Station


@dataclass(frozen=True)
class TimingFigures:
    """Timings of one group of cases (every case in reach, or one station's)."""

    answered: int = 0
    median_first_answer: dt.timedelta | None = None
    resolved: int = 0
    median_resolution: dt.timedelta | None = None
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    received: int = 0

    @property
    def unanswered(self) -> int:
        """Cases without a first answer yet: they have no time to the first answer."""
        return self.received - self.answered

    @property
    def unresolved(self) -> int:
        """Cases not resolved yet: they have no time to resolution."""
        return self.received - self.resolved

    @property
    def due_counted(self) -> int:
        """Cases judged against their due date: answered, or past it without an answer."""
        return self.on_time + self.late + self.overdue

    @property
    def share_on_time(self) -> float | None:
        """Answered at or before the due date, out of :attr:`due_counted`; None if none."""
        return self.on_time / self.due_counted if self.due_counted else None


@dataclass(frozen=True)
class Timings:
    """Every case in reach, then each station in reach."""

    overall: TimingFigures
    by_station: list[tuple[Station, TimingFigures]]


def seconds_between(dialect: str, later: Any, earlier: Any) -> Any:
    """SQL for the seconds from ``earlier`` to ``later`` (two UTC timestamp columns)."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return extract("epoch", later) - extract("epoch", earlier)


def _as_delta(seconds: float | None) -> dt.timedelta | None:
    return None if seconds is None else dt.timedelta(seconds=round(seconds))


@dataclass
class _Durations:
    """Seconds from receipt to one moment, for every case and by station."""

    every: list[float] = field(default_factory=list)
    by_station: dict[int, list[float]] = field(default_factory=dict)

    def add(self, station_id: int, seconds: Any) -> None:
        if seconds is not None:
            self.every.append(float(seconds))
            self.by_station.setdefault(station_id, []).append(float(seconds))

    def medians(self) -> tuple[float | None, dict[int, float]]:
        overall = statistics.median(self.every) if self.every else None
        return overall, {key: statistics.median(v) for key, v in self.by_station.items()}


async def _durations(session: AsyncSession, where: list[Any]) -> tuple[_Durations, _Durations]:
    """Every case's seconds to its first answer and to its resolution, in one pass.

    Two numbers per case come back, unsorted: sorting them here for the medians cost less than
    ranking them in SQL with window functions (SQLite sorts once per window) or ordering two
    separate queries, measured on a year of 50,000 cases (bench/reports.py).
    """
    dialect = session.get_bind().dialect.name
    answered_at, resolved_at = col(Issue.answered_at), col(Issue.resolved_at)
    stmt = select(
        col(Issue.station_id),
        seconds_between(dialect, answered_at, col(Issue.created_at)),
        seconds_between(dialect, resolved_at, col(Issue.created_at)),
    ).where(*where, or_(answered_at.is_not(None), resolved_at.is_not(None)))
    answers, resolutions = _Durations(), _Durations()
    # Core rows, not entities: a year of cases is tens of thousands of numbers.
    connection = await session.connection()
    for station_id, answer, resolution in await connection.execute(stmt):
        answers.add(station_id, answer)
        resolutions.add(station_id, resolution)
    return answers, resolutions


async def timings(session: AsyncSession, *, reach: Reach, now: dt.datetime) -> Timings:
    """Medians and the due-date share, for every case in reach and for each station."""
    await check_reach(session, reach)
    where = [*reach.clauses(), col(Issue.status) != IssueStatus.DUPLICATE]
    answered_at, due_at = col(Issue.answered_at), col(Issue.due_at)

    def tally(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = (
        select(
            col(Issue.station_id),
            func.count(answered_at),
            func.count(col(Issue.resolved_at)),
            tally(due_at.is_not(None) & answered_at.is_not(None) & (answered_at <= due_at)),
            tally(due_at.is_not(None) & answered_at.is_not(None) & (answered_at > due_at)),
            tally(due_at.is_not(None) & answered_at.is_(None) & (due_at < now)),
            func.count(),
        )
        .where(*where)
        .group_by(col(Issue.station_id))
    )
    counts = {row[0]: [int(value) for value in row[1:]] for row in await session.execute(stmt)}
    answers, resolutions = await _durations(session, where)
    answer, station_answer = answers.medians()
    resolution, station_resolution = resolutions.medians()

    def figures(
        numbers: list[int], answer: float | None, resolved_in: float | None
    ) -> TimingFigures:
        answered, resolved, on_time, late, overdue, received = numbers
        return TimingFigures(
            answered=answered,
            median_first_answer=_as_delta(answer),
            resolved=resolved,
            median_resolution=_as_delta(resolved_in),
            on_time=on_time,
            late=late,
            overdue=overdue,
            received=received,
        )

    totals = [sum(column) for column in zip(*counts.values(), strict=True)] or [0] * 6
    stations = [
        (
            station,
            figures(
                counts.get(station.id or 0, [0] * 6),
                station_answer.get(station.id or 0),
                station_resolution.get(station.id or 0),
            ),
        )
        for station in await stations_in_reach(session, reach)
        if station.active or (station.id or 0) in counts
    ]
    return Timings(overall=figures(totals, answer, resolution), by_station=stations)
