"""A resident rates how an outcome ended for their case: one to five stars, once.

Only a resident who was told how it ended (their case, or a case merged into it, fed the
outcome) may rate; the rating is a :class:`PipelineRating` of the outcome with purpose
``resident``, on the same scale as the rating of an answer to a case.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from services.errors import DomainError
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import RatingPurpose
from storage.models import Issue, Outcome, OutcomeIssue, PipelineRating

PURPOSE = RatingPurpose.RESIDENT
RATER = "resident"


def subject_of(outcome_id: int) -> str:
    """The rating's subject for an outcome."""
    return f"outcome:{outcome_id}"


async def told_case(session: AsyncSession, *, resident_id: int, outcome_id: int) -> Issue | None:
    """The resident's case that fed the outcome and was told how it ended; None otherwise."""
    rows = await session.execute(
        select(Issue)
        .join(
            OutcomeIssue,
            or_(
                col(OutcomeIssue.issue_id) == col(Issue.id),
                col(OutcomeIssue.issue_id) == col(Issue.duplicate_of_id),
            ),
        )
        .where(
            col(OutcomeIssue.outcome_id) == outcome_id,
            col(OutcomeIssue.told_at).is_not(None),
            col(Issue.resident_id) == resident_id,
        )
        .order_by(col(Issue.id))
        .limit(1)
    )
    return rows.scalars().first()


async def rating_of(
    session: AsyncSession, *, resident_id: int, outcome_id: int
) -> PipelineRating | None:
    """The resident's rating of the outcome, if they rated it."""
    rows = await session.execute(
        select(PipelineRating).where(
            col(PipelineRating.subject) == subject_of(outcome_id),
            col(PipelineRating.purpose) == PURPOSE,
            col(PipelineRating.rater_kind) == RATER,
            col(PipelineRating.rater_id) == resident_id,
        )
    )
    return rows.scalars().first()


async def rate_outcome(
    session: AsyncSession, *, resident_id: int, outcome_id: int, stars: int, now: dt.datetime
) -> PipelineRating:
    """Record the resident's stars; refused for an outcome not theirs, or rated already."""
    if not 1 <= stars <= 5:
        raise DomainError("outcome_rating_value")
    async with write_transaction(session):
        outcome = await session.get(Outcome, outcome_id)
        case = await told_case(session, resident_id=resident_id, outcome_id=outcome_id)
        if outcome is None or case is None:
            raise DomainError("outcome_unknown")
        if await rating_of(session, resident_id=resident_id, outcome_id=outcome_id) is not None:
            raise DomainError("outcome_rated_already")
        rating = PipelineRating(
            subject=subject_of(outcome_id),
            purpose=PURPOSE,
            rater_kind=RATER,
            rater_id=resident_id,
            value=str(stars),
            created_at=now,
        )
        session.add(rating)
        add_line(
            session,
            kind="rated",
            actor=Actor("resident", resident_id),
            now=now,
            outcome_id=outcome_id,
            body=str(stars),
        )
    return rating
