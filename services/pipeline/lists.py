"""The year's three lists: problems, outcomes and satisfaction (问题清单 → 成果清单 → 满意清单).

For a period of the committee's calendar days (a year unless said otherwise):

- the problem list is every suggestion formed in it: the items of registered proposals
  submitted in the period and the suggestions of outcomes formed in it;
- the outcome list is every suggestion whose lead department answered in the period, with
  that answer and how far it was adopted (the latest round only, so a re-handled item is
  listed once, with the answer that stands);
- the satisfaction list (:mod:`services.pipeline.ratings_list`) is every rating of handling
  given in the period, with the subject's final satisfaction.

Each list is one set-based query (joined, never a query per row), so a year of thousands of
suggestions reads in well under a second. Adoption counts and long-running topics are in
:mod:`services.pipeline.list_counts`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from services.reports.cases import Period
from storage.enums import REGISTERED_PROPOSAL_STATES
from storage.models import Department, Handling, Outcome, Proposal, Suggestion

PROPOSAL_SOURCE = "proposal"


@dataclass(frozen=True, slots=True)
class ProblemRow:
    """A suggestion formed in the period: where it came from and where it stands."""

    suggestion_id: int
    number: str
    title: str
    source: str
    position: int
    text: str
    formed_on: dt.date
    stage: str


@dataclass(frozen=True, slots=True)
class HandledRow:
    """A suggestion its lead department answered in the period."""

    suggestion_id: int
    number: str
    title: str
    source: str
    position: int
    text: str
    department_id: int
    department_zh: str
    department_en: str
    answer: str
    adoption: str | None
    answered_at: dt.datetime
    round: int


def source_expression() -> Any:
    """``proposal`` for a proposal's item, else the kind of consultation of its outcome."""
    return case(
        (col(Suggestion.proposal_id).is_not(None), literal(PROPOSAL_SOURCE)),
        else_=col(Outcome.consultation),
    )


def with_origin(query: Select[Any]) -> Select[Any]:
    """Join a query on suggestions to the proposal or outcome each belongs to."""
    return query.outerjoin(Proposal, col(Proposal.id) == col(Suggestion.proposal_id)).outerjoin(
        Outcome, col(Outcome.id) == col(Suggestion.outcome_id)
    )


def listing_order() -> tuple[Any, ...]:
    """Proposals' items first, then outcomes' suggestions, by number and position."""
    return (
        col(Suggestion.proposal_id).is_(None),
        origin_number(),
        col(Suggestion.position),
        col(Suggestion.id),
    )


async def read(session: AsyncSession, query: Executable) -> Any:
    """Rows of a Core query on the session's connection.

    Thousands of plain rows: the ORM's result machinery adds nothing but time here.
    """
    connection = await session.connection()
    return await connection.execute(query)


def origin_number() -> Any:
    """The number of the proposal or outcome a suggestion belongs to."""
    return func.coalesce(col(Proposal.number), col(Outcome.number), "")


def origin_title() -> Any:
    """The title of the proposal or outcome a suggestion belongs to."""
    return func.coalesce(col(Proposal.title), col(Outcome.title))


async def problem_list(session: AsyncSession, *, period: Period, tz: dt.tzinfo) -> list[ProblemRow]:
    """Every suggestion formed in ``period``, proposals' items first, by number and position."""
    start, end = period.bounds(tz)
    registered = and_(
        col(Proposal.state).in_([str(s) for s in REGISTERED_PROPOSAL_STATES]),
        or_(
            and_(
                col(Proposal.submitted_on) >= period.start,
                col(Proposal.submitted_on) < period.end,
            ),
            # A proposal entered without a date counts from when it was recorded.
            and_(
                col(Proposal.submitted_on).is_(None),
                col(Proposal.created_at) >= start,
                col(Proposal.created_at) < end,
            ),
        ),
    )
    formed = and_(col(Outcome.created_at) >= start, col(Outcome.created_at) < end)
    query = with_origin(
        select(
            col(Suggestion.id),
            origin_number(),
            origin_title(),
            source_expression(),
            col(Suggestion.position),
            col(Suggestion.text),
            col(Proposal.submitted_on),
            func.coalesce(col(Proposal.created_at), col(Outcome.created_at)),
            func.coalesce(col(Proposal.state), col(Suggestion.stage)),
        )
    ).where(or_(registered, formed))
    rows = await read(session, query.order_by(*listing_order()))
    found = [
        ProblemRow(
            suggestion_id=sid,
            number=number,
            title=title,
            source=source,
            position=position,
            text=text,
            formed_on=submitted_on or created.astimezone(tz).date(),
            stage=stage,
        )
        for sid, number, title, source, position, text, submitted_on, created, stage in rows
    ]
    return found


def handled_filter(period: Period, tz: dt.tzinfo) -> Any:
    """Lead answers given in ``period`` that no later round of the same item replaced."""
    start, end = period.bounds(tz)
    later = aliased(Handling)
    replaced = exists().where(
        col(later.suggestion_id) == col(Handling.suggestion_id),
        col(later.lead).is_(True),
        col(later.round) > col(Handling.round),
        col(later.answered_at).is_not(None),
        col(later.answered_at) < end,
    )
    return and_(
        col(Handling.lead).is_(True),
        col(Handling.answered_at) >= start,
        col(Handling.answered_at) < end,
        ~replaced,
    )


def adoption_expression() -> Any:
    """The lead's adoption; the suggestion's own when the answer did not name one."""
    return func.coalesce(col(Handling.adoption), col(Suggestion.adoption))


async def outcome_list(session: AsyncSession, *, period: Period, tz: dt.tzinfo) -> list[HandledRow]:
    """Every suggestion answered in ``period``, with the lead department's answer."""
    query = with_origin(
        select(
            col(Suggestion.id),
            origin_number(),
            origin_title(),
            source_expression(),
            col(Suggestion.position),
            col(Suggestion.text),
            col(Department.id),
            col(Department.name_zh),
            col(Department.name_en),
            col(Handling.answer),
            adoption_expression(),
            col(Handling.answered_at),
            col(Handling.round),
        )
        .select_from(Handling)
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .join(Department, col(Department.id) == col(Handling.department_id))
    ).where(handled_filter(period, tz))
    rows = await read(session, query.order_by(*listing_order()))
    found = [
        HandledRow(
            suggestion_id=sid,
            number=number,
            title=title,
            source=source,
            position=position,
            text=text,
            department_id=department_id,
            department_zh=name_zh,
            department_en=name_en,
            answer=answer or "",
            adoption=adoption,
            answered_at=answered_at,
            round=round_,
        )
        for (
            sid, number, title, source, position, text, department_id, name_zh, name_en,
            answer, adoption, answered_at, round_,
        ) in rows
    ]  # fmt: skip
    return found
