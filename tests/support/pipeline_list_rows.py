"""Rows of proposals, outcomes, suggestions, handlings and ratings, written directly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.db import Database, write_transaction
from storage.models import (
    Department,
    Handling,
    Outcome,
    PipelineRating,
    Proposal,
    Suggestion,
)

UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 2) -> dt.datetime:
    """A UTC moment (10:00 in Shanghai by default)."""
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


async def department_ids(db: Database) -> dict[str, int]:
    """The reference departments, code → id."""
    async with db.session() as session:
        rows = await session.execute(select(Department.code, Department.id))
        return {code: id_ or 0 for code, id_ in rows}


async def add_proposal(
    db: Database,
    *,
    number: str | None,
    title: str = "On parking",
    items: tuple[str, ...] = ("More spaces",),
    state: str = "assigned",
    submitted_on: dt.date = dt.date(2026, 3, 1),
    public: bool = False,
    member_id: int | None = None,
    sector_id: int | None = None,
    satisfaction: str | None = None,
    satisfaction_note: str | None = None,
    rated_at: dt.datetime | None = None,
    situation: str = "",
) -> tuple[int, list[int]]:
    """A proposal of ``submitted_on``'s year and its items; (proposal id, suggestion ids)."""
    now = dt.datetime.combine(submitted_on, dt.time(2), tzinfo=UTC)
    async with db.session() as session, write_transaction(session):
        proposal = Proposal(
            year=submitted_on.year,
            number=number,
            title=title,
            submitted_on=submitted_on,
            state=state,
            situation=situation,
            public=public,
            member_id=member_id,
            sector_id=sector_id,
            satisfaction=satisfaction,
            satisfaction_note=satisfaction_note,
            rated_at=rated_at,
            created_at=now,
            updated_at=now,
        )
        session.add(proposal)
        await session.flush()
        suggestions = [
            Suggestion(proposal_id=proposal.id, position=n, text=text, stage_at=now)
            for n, text in enumerate(items, start=1)
        ]
        session.add_all(suggestions)
        await session.flush()
        return proposal.id or 0, [s.id or 0 for s in suggestions]


async def add_outcome(
    db: Database,
    *,
    number: str,
    created_at: dt.datetime,
    items: tuple[tuple[str, str], ...] = (("Open the lane", "formed"),),
    title: str = "Old town traffic",
    consultation: str = "thematic",
    topic: str | None = None,
    stage_at: dt.datetime | None = None,
) -> tuple[int, list[int]]:
    """An outcome and its suggestions, each (text, stage); (outcome id, suggestion ids)."""
    async with db.session() as session, write_transaction(session):
        outcome = Outcome(
            year=created_at.year,
            number=number,
            title=title,
            source="meeting",
            consultation=consultation,
            topic=topic,
            created_at=created_at,
            updated_at=created_at,
        )
        session.add(outcome)
        await session.flush()
        suggestions = [
            Suggestion(
                outcome_id=outcome.id,
                position=n,
                text=text,
                stage=stage,
                stage_at=stage_at or created_at,
            )
            for n, (text, stage) in enumerate(items, start=1)
        ]
        session.add_all(suggestions)
        await session.flush()
        return outcome.id or 0, [s.id or 0 for s in suggestions]


async def add_handling(
    db: Database,
    *,
    suggestion_id: int,
    department_id: int,
    due_at: dt.datetime,
    answered_at: dt.datetime | None = None,
    answer: str | None = None,
    adoption: str | None = None,
    lead: bool = True,
    round: int = 1,
) -> int:
    """One department's handling of one item."""
    async with db.session() as session, write_transaction(session):
        row = Handling(
            suggestion_id=suggestion_id,
            department_id=department_id,
            lead=lead,
            round=round,
            assigned_at=due_at - dt.timedelta(days=60),
            due_at=due_at,
            answer=answer,
            adoption=adoption,
            answered_at=answered_at,
            answered_by="科长" if answered_at else None,
        )
        session.add(row)
        await session.flush()
        return row.id or 0


async def add_rating(
    db: Database,
    *,
    subject: str,
    purpose: str,
    value: str,
    created_at: dt.datetime,
    rater_kind: str = "member",
    rater_id: int = 1,
    round: int = 1,
    reason: str | None = None,
) -> None:
    """A rating of handling."""
    async with db.session() as session, write_transaction(session):
        session.add(
            PipelineRating(
                subject=subject,
                purpose=purpose,
                round=round,
                rater_kind=rater_kind,
                rater_id=rater_id,
                value=value,
                reason=reason,
                created_at=created_at,
            )
        )
