"""Staff reports: what residents said of the answers they got.

Over the cases received in the period within reach (see :class:`services.reports.cases.Reach`),
merged duplicates left out (their residents rate the case they were merged into): how many
cases were rated, the average rating (1 to 5), how the ratings spread, and the share of the
residents who answered "was it solved?" that said yes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.reports.cases import Reach, check_reach, stations_in_reach
from storage.enums import IssueStatus
from storage.models import Issue, Station

RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class RatingFigures:
    """The ratings of one group of cases; ``distribution`` maps 1 to 5 to a count."""

    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))
    solved_yes: int = 0
    solved_answers: int = 0

    @property
    def rated(self) -> int:
        """Cases with a rating."""
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        """The mean rating; None when nothing was rated."""
        if not self.rated:
            return None
        return sum(stars * count for stars, count in self.distribution.items()) / self.rated

    @property
    def share_solved(self) -> float | None:
        """Of the residents who said whether it was solved, the share who said yes."""
        return self.solved_yes / self.solved_answers if self.solved_answers else None


@dataclass(frozen=True)
class Satisfaction:
    """Every case in reach, then each station in reach."""

    overall: RatingFigures
    by_station: list[tuple[Station, RatingFigures]]


async def satisfaction(session: AsyncSession, *, reach: Reach) -> Satisfaction:
    """Ratings and "solved" answers, counted by one GROUP BY over station, rating and solved."""
    await check_reach(session, reach)
    rating, solved = col(Issue.rating), col(Issue.solved)
    stmt = (
        select(col(Issue.station_id), rating, solved, func.count())
        .where(
            *reach.clauses(),
            col(Issue.status) != IssueStatus.DUPLICATE,
            or_(rating.is_not(None), solved.is_not(None)),
        )
        .group_by(col(Issue.station_id), rating, solved)
    )
    overall = _Tally()
    stations: dict[int, _Tally] = {}
    for station_id, stars, said, count in await session.execute(stmt):
        for tally in (overall, stations.setdefault(station_id, _Tally())):
            tally.add(stars, said, int(count))
    by_station = [
        (station, stations.get(station.id or 0, _Tally()).figures())
        for station in await stations_in_reach(session, reach)
        if station.active or (station.id or 0) in stations
    ]
    return Satisfaction(overall=overall.figures(), by_station=by_station)


class _Tally:
    """Counts being added up, row by grouped row."""

    def __init__(self) -> None:
        self.distribution = dict.fromkeys(RATINGS, 0)
        self.solved_yes = 0
        self.solved_answers = 0

    def add(self, stars: int | None, said: bool | None, count: int) -> None:
        if stars is not None and stars in self.distribution:
            self.distribution[stars] += count
        if said is not None:
            self.solved_answers += count
            self.solved_yes += count if said else 0

    def figures(self) -> RatingFigures:
        return RatingFigures(dict(self.distribution), self.solved_yes, self.solved_answers)
