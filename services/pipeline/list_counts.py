"""Adoption counts of a period's outcome list, the three lists together, long-running topics.

Adoption is counted on the lead department's standing answer (:func:`handled_filter`): an
item answered twice counts once, with its second answer. Counts are grouped in the
database, by department and by source (proposals, each kind of consultation, research and
social-conditions reports), so the chat can show them without loading the lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.pipeline.lists import (
    HandledRow,
    ProblemRow,
    adoption_expression,
    handled_filter,
    outcome_list,
    problem_list,
    read,
    source_expression,
    with_origin,
)
from services.pipeline.ratings_list import RatingRow, satisfaction_list
from services.reports.cases import Period
from storage.enums import Adoption, Stage
from storage.models import Department, Handling, Outcome, Suggestion


@dataclass
class AdoptionCount:
    """How many answers of one department or one source adopted a suggestion, and how far."""

    key: str
    name_zh: str = ""
    name_en: str = ""
    adopted: int = 0
    partly: int = 0
    explained: int = 0
    # Answered without saying how far (an older or imported answer).
    unstated: int = 0

    @property
    def total(self) -> int:
        """Every answer counted."""
        return self.adopted + self.partly + self.explained + self.unstated

    def add(self, adoption: str | None, count: int) -> None:
        """Count ``count`` answers of this adoption."""
        if adoption == Adoption.ADOPTED:
            self.adopted += count
        elif adoption == Adoption.PARTLY:
            self.partly += count
        elif adoption == Adoption.EXPLAINED:
            self.explained += count
        else:
            self.unstated += count


async def adoption_by_department(
    session: AsyncSession, *, period: Period, tz: dt.tzinfo
) -> list[AdoptionCount]:
    """Answers of ``period`` by lead department, most answers first."""
    query = (
        select(
            col(Department.id),
            col(Department.name_zh),
            col(Department.name_en),
            adoption_expression(),
            func.count(),
        )
        .select_from(Handling)
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .join(Department, col(Department.id) == col(Handling.department_id))
        .where(handled_filter(period, tz))
        .group_by(
            col(Department.id),
            col(Department.name_zh),
            col(Department.name_en),
            adoption_expression(),
        )
    )
    counts: dict[int, AdoptionCount] = {}
    for department_id, name_zh, name_en, adoption, count in await read(session, query):
        counts.setdefault(department_id, AdoptionCount(str(department_id), name_zh, name_en)).add(
            adoption, count
        )
    return sorted(counts.values(), key=lambda c: (-c.total, c.name_zh))


async def adoption_by_source(
    session: AsyncSession, *, period: Period, tz: dt.tzinfo
) -> list[AdoptionCount]:
    """Answers of ``period`` by source (``proposal`` or the kind of consultation)."""
    source = source_expression()
    query = (
        with_origin(
            select(source, adoption_expression(), func.count())
            .select_from(Handling)
            .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        )
        .where(handled_filter(period, tz))
        .group_by(source, adoption_expression())
    )
    counts: dict[str, AdoptionCount] = {}
    for key, adoption, count in await read(session, query):
        counts.setdefault(key, AdoptionCount(key)).add(adoption, count)
    return sorted(counts.values(), key=lambda c: (-c.total, c.key))


@dataclass(frozen=True)
class PipelineLists:
    """A period's three lists and its adoption counts."""

    period: Period
    problems: list[ProblemRow]
    handled: list[HandledRow]
    ratings: list[RatingRow]
    by_department: list[AdoptionCount]
    by_source: list[AdoptionCount]


async def pipeline_lists(session: AsyncSession, *, period: Period, tz: dt.tzinfo) -> PipelineLists:
    """The problem, outcome and satisfaction lists of ``period``, with adoption counts."""
    return PipelineLists(
        period=period,
        problems=await problem_list(session, period=period, tz=tz),
        handled=await outcome_list(session, period=period, tz=tz),
        ratings=await satisfaction_list(session, period=period, tz=tz),
        by_department=await adoption_by_department(session, period=period, tz=tz),
        by_source=await adoption_by_source(session, period=period, tz=tz),
    )


@dataclass
class TopicOutcome:
    """One outcome of a long-running topic and how far its suggestions have come."""

    year: int
    number: str
    title: str
    stages: dict[str, int] = field(default_factory=dict)

    @property
    def suggestions(self) -> int:
        """How many suggestions it has."""
        return sum(self.stages.values())

    @property
    def fed_back(self) -> int:
        """How many of them were fed back."""
        return self.stages.get(Stage.FED_BACK, 0)


async def topic_names(session: AsyncSession) -> list[tuple[str, int, int]]:
    """Every long-running topic with its first and last year, most recent first."""
    query = (
        select(col(Outcome.topic), func.min(col(Outcome.year)), func.max(col(Outcome.year)))
        .where(col(Outcome.topic).is_not(None), col(Outcome.topic) != "")
        .group_by(col(Outcome.topic))
    )
    found = [(str(topic), first, last) for topic, first, last in await session.execute(query)]
    return sorted(found, key=lambda t: (-t[2], t[0]))


async def topic_outcomes(session: AsyncSession, *, topic: str) -> list[TopicOutcome]:
    """A topic's outcomes across every year, oldest first, with their suggestions by stage."""
    query = (
        select(
            col(Outcome.id),
            col(Outcome.year),
            col(Outcome.number),
            col(Outcome.title),
            col(Suggestion.stage),
            func.count(col(Suggestion.id)),
        )
        .outerjoin(Suggestion, col(Suggestion.outcome_id) == col(Outcome.id))
        .where(col(Outcome.topic) == topic)
        .group_by(
            col(Outcome.id),
            col(Outcome.year),
            col(Outcome.number),
            col(Outcome.title),
            col(Suggestion.stage),
        )
    )
    found: dict[int, TopicOutcome] = {}
    for outcome_id, year, number, title, stage, count in await read(session, query):
        item = found.setdefault(outcome_id or 0, TopicOutcome(year, number, title))
        if stage is not None:
            item.stages[stage] = count
    return sorted(found.values(), key=lambda o: (o.year, o.number))
