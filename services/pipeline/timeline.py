"""The timeline of a proposal or an outcome: one line per move, answer, rating or undo."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from storage.models import PipelineEvent


def add_line(
    session: AsyncSession,
    *,
    kind: str,
    actor: Actor,
    now: dt.datetime,
    proposal_id: int | None = None,
    outcome_id: int | None = None,
    suggestion_id: int | None = None,
    from_stage: str | None = None,
    to_stage: str | None = None,
    body: str | None = None,
) -> PipelineEvent:
    """Add a timeline line to the caller's transaction."""
    line = PipelineEvent(
        proposal_id=proposal_id,
        outcome_id=outcome_id,
        suggestion_id=suggestion_id,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor.kind,
        actor_id=actor.id,
        body=body,
        created_at=now,
    )
    session.add(line)
    return line


async def proposal_timeline(session: AsyncSession, proposal_id: int) -> list[PipelineEvent]:
    """A proposal's lines, oldest first."""
    rows = await session.execute(
        select(PipelineEvent)
        .where(col(PipelineEvent.proposal_id) == proposal_id)
        .order_by(col(PipelineEvent.created_at), col(PipelineEvent.id))
    )
    return list(rows.scalars())


async def outcome_timeline(session: AsyncSession, outcome_id: int) -> list[PipelineEvent]:
    """An outcome's lines (its suggestions' included), oldest first."""
    rows = await session.execute(
        select(PipelineEvent)
        .where(col(PipelineEvent.outcome_id) == outcome_id)
        .order_by(col(PipelineEvent.created_at), col(PipelineEvent.id))
    )
    return list(rows.scalars())
