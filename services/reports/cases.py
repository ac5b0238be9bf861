"""Staff reports on residents' cases: the period and reach they cover, and counts of cases.

A report covers the cases *received* in a period: ``created_at`` from the first day of the
period, at midnight in the committee's time zone, up to (not including) midnight at its end.
Its reach is a staff scope (admins: every station; station staff: their stations) or, for the
office's own command line, the whole committee; a single station may be picked within it.
Timings are in :mod:`services.reports.times`, satisfaction in
:mod:`services.reports.ratings`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.calendar import Quarter
from services.errors import DomainError
from storage.enums import OPEN_STATUSES, IssueStatus
from storage.models import Issue, IssueCategory, Station

PERIOD_CHOICES = ("quarter", "last-quarter", "year")


@dataclass(frozen=True)
class Period:
    """The committee's calendar days from ``start`` up to, not including, ``end``."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise DomainError("period_empty")

    @classmethod
    def of_quarter(cls, quarter: Quarter) -> Period:
        """A calendar quarter."""
        return cls(quarter.start, quarter.next().start)

    @classmethod
    def of_year(cls, year: int) -> Period:
        """A calendar year."""
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    @classmethod
    def of_days(cls, first: dt.date, last: dt.date) -> Period:
        """From ``first`` to ``last``, both days included."""
        return cls(first, last + dt.timedelta(days=1))

    @property
    def last_day(self) -> dt.date:
        """The last day the period includes."""
        return self.end - dt.timedelta(days=1)

    @property
    def quarter(self) -> Quarter | None:
        """The quarter this period is exactly, if it is one."""
        quarter = Quarter.of(self.start)
        return quarter if self == Period.of_quarter(quarter) else None

    @property
    def year(self) -> int | None:
        """The year this period is exactly, if it is one."""
        return self.start.year if self == Period.of_year(self.start.year) else None

    def bounds(self, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """The period as UTC moments: local midnight at its start and at its end."""
        start = dt.datetime.combine(self.start, dt.time(0), tzinfo=tz)
        end = dt.datetime.combine(self.end, dt.time(0), tzinfo=tz)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def named_period(name: str, today: dt.date) -> Period:
    """``quarter`` (this one), ``last-quarter`` or ``year`` (this one), seen from ``today``."""
    quarter = Quarter.of(today)
    if name == "quarter":
        return Period.of_quarter(quarter)
    if name == "last-quarter":
        return Period.of_quarter(quarter.previous())
    if name == "year":
        return Period.of_year(today.year)
    raise DomainError("period_unknown", name=name)


@dataclass(frozen=True)
class Reach:
    """Which cases a report counts: a period, a staff scope (None: all), maybe one station."""

    period: Period
    tz: dt.tzinfo
    scope: StaffScope | None = None
    station_id: int | None = None

    def clauses(self) -> list[Any]:
        """WHERE clauses selecting the cases received in the period within reach."""
        start, end = self.period.bounds(self.tz)
        where: list[Any] = [col(Issue.created_at) >= start, col(Issue.created_at) < end]
        if self.scope is not None and not self.scope.admin:
            where.append(self.scope.issues_clause())
        if self.station_id is not None:
            where.append(col(Issue.station_id) == self.station_id)
        return where


async def check_reach(session: AsyncSession, reach: Reach) -> None:
    """Refuse a station that does not exist or lies outside the scope."""
    if reach.station_id is None:
        return
    if await session.get(Station, reach.station_id) is None:
        raise DomainError("station_unknown")
    if reach.scope is not None:
        reach.scope.require(reach.station_id)


async def stations_in_reach(session: AsyncSession, reach: Reach) -> list[Station]:
    """The stations a report lists, in display order (inactive ones included)."""
    stmt = select(Station).order_by(col(Station.sort_order), col(Station.id))
    if reach.station_id is not None:
        stmt = stmt.where(col(Station.id) == reach.station_id)
    elif reach.scope is not None:
        stmt = stmt.where(reach.scope.stations_clause(Station.id))
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True)
class CaseCounts:
    """Cases received in a period, by station, by category and by status.

    ``by_station`` lists every active station in reach, and inactive ones that had cases;
    ``by_category`` likewise for categories; ``by_status`` has every status, in workflow
    order; ``station_status`` holds the station-by-status table behind them.
    """

    total: int
    by_station: list[tuple[Station, int]]
    by_category: list[tuple[IssueCategory, int]]
    by_status: list[tuple[str, int]]
    station_status: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def open(self) -> int:
        """Cases still waiting for an answer or being handled."""
        return sum(count for status, count in self.by_status if status in OPEN_STATUSES)


async def case_counts(session: AsyncSession, *, reach: Reach) -> CaseCounts:
    """Count the cases in reach: one GROUP BY over station, category and status."""
    await check_reach(session, reach)
    stmt = (
        select(col(Issue.station_id), col(Issue.category_id), col(Issue.status), func.count())
        .where(*reach.clauses())
        .group_by(col(Issue.station_id), col(Issue.category_id), col(Issue.status))
    )
    per_station: dict[int, int] = {}
    per_category: dict[int, int] = {}
    per_status: dict[str, int] = {status.value: 0 for status in IssueStatus}
    station_status: dict[int, dict[str, int]] = {}
    for station_id, category_id, status, count in (await session.execute(stmt)).all():
        count = int(count)
        per_station[station_id] = per_station.get(station_id, 0) + count
        per_category[category_id] = per_category.get(category_id, 0) + count
        per_status[status] = per_status.get(status, 0) + count
        row = station_status.setdefault(station_id, {})
        row[status] = row.get(status, 0) + count
    stations = [
        (station, per_station.get(station.id or 0, 0))
        for station in await stations_in_reach(session, reach)
        if station.active or per_station.get(station.id or 0)
    ]
    categories = (
        await session.execute(
            select(IssueCategory).order_by(col(IssueCategory.sort_order), col(IssueCategory.id))
        )
    ).scalars()
    by_category = [
        (category, per_category.get(category.id or 0, 0))
        for category in categories
        if category.active or per_category.get(category.id or 0)
    ]
    return CaseCounts(
        total=sum(per_status.values()),
        by_station=stations,
        by_category=by_category,
        by_status=list(per_status.items()),
        station_status=station_status,
    )
