"""Quality evaluation (质效评估): members rate each department's handling of key items.

Key items are the suggestions of key outcomes (``Outcome.key``) and the proposals marked
key at the year's end (``Proposal.rating`` ``key`` or ``excellent_key``). Once a department
has answered one, the members who took part (:mod:`services.pipeline.raters`; a sector's
proposal is rated by the convenor who wrote it, as sectors name no other representative
here) rate that department's handling once each: ``PipelineRating`` purpose ``quality``
with the department's id. The year's department table scores each rating satisfied 100,
basically satisfied 60, not satisfied 0, and averages them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import String, case, cast, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from services.errors import DomainError
from services.pipeline.raters import (
    already_rated,
    check_value,
    outcome_raters,
    proposal_raters,
    save_rating,
    subject_of,
    with_representatives,
)
from storage.enums import RatingPurpose, Satisfaction
from storage.models import (
    Department,
    Handling,
    Outcome,
    PipelineRating,
    Proposal,
    Suggestion,
)

PURPOSE = RatingPurpose.QUALITY
KEY_RATINGS = ("key", "excellent_key")
SCORES = {Satisfaction.SATISFIED: 100, Satisfaction.BASIC: 60, Satisfaction.UNSATISFIED: 0}


@dataclass(frozen=True)
class QualityItem:
    """One department's handling of a key proposal (``p``) or key outcome suggestion (``s``)."""

    kind: str
    id: int
    department_id: int
    year: int
    number: str
    title: str
    raters: tuple[int, ...]

    @property
    def subject(self) -> str:
        """The ``PipelineRating.subject`` the ratings are stored under."""
        return subject_of(self.kind, self.id)


@dataclass(frozen=True)
class DepartmentQuality:
    """A department's line in the year's table."""

    department_id: int
    name_zh: str
    name_en: str
    ratings: int
    satisfied: int
    basic: int
    unsatisfied: int
    score: float


async def quality_items(
    session: AsyncSession, *, year: int | None = None, member_id: int | None = None
) -> list[QualityItem]:
    """Handling of key items that departments answered, with who may rate each.

    ``year`` narrows to one year's items; ``member_id`` to the items that member may rate.
    """
    answered = col(Handling.answered_at).is_not(None)
    proposals = (
        select(
            Proposal,
            col(Handling.department_id),
        )
        .join(Suggestion, col(Suggestion.proposal_id) == col(Proposal.id))
        .join(Handling, col(Handling.suggestion_id) == col(Suggestion.id))
        .where(col(Proposal.rating).in_(KEY_RATINGS), answered)
        .distinct()
        .order_by(col(Proposal.id), col(Handling.department_id))
    )
    outcomes = (
        select(Suggestion, Outcome, col(Handling.department_id))
        .join(Outcome, col(Outcome.id) == col(Suggestion.outcome_id))
        .join(Handling, col(Handling.suggestion_id) == col(Suggestion.id))
        .where(col(Outcome.key).is_(True), answered)
        .distinct()
        .order_by(col(Suggestion.id), col(Handling.department_id))
    )
    if year is not None:
        proposals = proposals.where(col(Proposal.year) == year)
        outcomes = outcomes.where(col(Outcome.year) == year)
    items: list[QualityItem] = []
    raters_of_proposal: dict[int, tuple[int, ...]] = {}
    for proposal, department_id in (await session.execute(proposals)).all():
        pid = proposal.id or 0
        if pid not in raters_of_proposal:
            raters_of_proposal[pid] = tuple(
                await with_representatives(session, await proposal_raters(session, proposal))
            )
        items.append(
            QualityItem(
                "p",
                pid,
                department_id,
                proposal.year,
                proposal.number or "",
                proposal.title,
                raters_of_proposal[pid],
            )
        )
    raters_of_outcome: dict[int, tuple[int, ...]] = {}
    for suggestion, outcome, department_id in (await session.execute(outcomes)).all():
        oid = outcome.id or 0
        if oid not in raters_of_outcome:
            raters_of_outcome[oid] = tuple(
                await with_representatives(session, await outcome_raters(session, oid))
            )
        items.append(
            QualityItem(
                "s",
                suggestion.id or 0,
                department_id,
                outcome.year,
                f"{outcome.number}-{suggestion.position}",
                outcome.title,
                raters_of_outcome[oid],
            )
        )
    if member_id is not None:
        items = [item for item in items if member_id in item.raters]
    return items


async def rated(
    session: AsyncSession, *, member_id: int | None = None
) -> set[tuple[str, int, int]]:
    """(subject, department, member) of the quality ratings given, all or one member's."""
    stmt = select(
        col(PipelineRating.subject), col(PipelineRating.department_id), col(PipelineRating.rater_id)
    ).where(col(PipelineRating.purpose) == PURPOSE, col(PipelineRating.rater_kind) == "member")
    if member_id is not None:
        stmt = stmt.where(col(PipelineRating.rater_id) == member_id)
    return {(subject, dep, rater) for subject, dep, rater in (await session.execute(stmt)).all()}


async def pending_quality(
    session: AsyncSession, *, year: int | None = None
) -> list[tuple[QualityItem, int]]:
    """Each (item, member) still to be rated."""
    done = await rated(session)
    return [
        (item, member)
        for item in await quality_items(session, year=year)
        for member in item.raters
        if (item.subject, item.department_id, member) not in done
    ]


async def check_quality_rater(
    session: AsyncSession, *, kind: str, item_id: int, department_id: int, member_id: int
) -> QualityItem:
    """The item, if the member may rate this department's handling of it and has not yet."""
    subject = subject_of(kind, item_id)
    for item in await quality_items(session, member_id=member_id):
        if (item.kind, item.id, item.department_id) == (kind, item_id, department_id):
            if await already_rated(
                session,
                subject=subject,
                purpose=PURPOSE,
                department_id=department_id,
                member_id=member_id,
            ):
                raise DomainError("already_rated")
            return item
    raise DomainError("quality_unknown")


async def rate_quality(
    session: AsyncSession,
    *,
    kind: str,
    item_id: int,
    department_id: int,
    member_id: int,
    value: str,
    reason: str | None,
    now: dt.datetime,
) -> PipelineRating:
    """A member's rating of one department's handling of a key item, once."""
    check_value(value, reason)
    await check_quality_rater(
        session, kind=kind, item_id=item_id, department_id=department_id, member_id=member_id
    )
    return await save_rating(
        session,
        subject=subject_of(kind, item_id),
        purpose=PURPOSE,
        department_id=department_id,
        member_id=member_id,
        value=value,
        reason=reason,
        now=now,
        proposal_id=item_id if kind == "p" else None,
        suggestion_id=item_id if kind == "s" else None,
    )


async def department_table(session: AsyncSession, *, year: int) -> list[DepartmentQuality]:
    """Per department, the year's quality ratings and their score, best first."""
    subjects = union_all(
        select((literal("proposal:") + cast(col(Proposal.id), String)).label("subject")).where(
            col(Proposal.year) == year
        ),
        select((literal("suggestion:") + cast(col(Suggestion.id), String)).label("subject"))
        .join(Outcome, col(Outcome.id) == col(Suggestion.outcome_id))
        .where(col(Outcome.year) == year),
    ).subquery()

    def counted(value: str) -> ColumnElement[int]:
        return func.sum(case((col(PipelineRating.value) == value, 1), else_=0))

    rows = await session.execute(
        select(
            col(Department.id),
            col(Department.name_zh),
            col(Department.name_en),
            func.count(),
            counted(Satisfaction.SATISFIED),
            counted(Satisfaction.BASIC),
            counted(Satisfaction.UNSATISFIED),
        )
        .select_from(PipelineRating)
        .join(Department, col(Department.id) == col(PipelineRating.department_id))
        .where(
            col(PipelineRating.purpose) == PURPOSE,
            col(PipelineRating.subject).in_(select(subjects.c.subject)),
        )
        .group_by(col(Department.id), col(Department.name_zh), col(Department.name_en))
    )
    table = []
    for did, zh, en, total, satisfied, basic, unsatisfied in rows.all():
        points = SCORES[Satisfaction.SATISFIED] * satisfied + SCORES[Satisfaction.BASIC] * basic
        table.append(
            DepartmentQuality(
                department_id=did or 0,
                name_zh=zh,
                name_en=en,
                ratings=int(total),
                satisfied=int(satisfied),
                basic=int(basic),
                unsatisfied=int(unsatisfied),
                score=round(points / total, 1) if total else 0.0,
            )
        )
    table.sort(key=lambda row: (-row.score, -row.ratings, row.department_id))
    return table
