"""Face-to-face meetings (面商) a department held with the member who wrote a proposal."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.outbox.notices import Notifier
from services.pipeline.audience import author_chats, tell_chats
from services.pipeline.guards import check_answer, lock_proposal
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.models import FaceMeeting, Handling, Suggestion

NOTE_MAX = 1000


async def holds_proposal(session: AsyncSession, *, department_id: int, proposal_id: int) -> bool:
    """Whether the department was given any item of the proposal, in any round."""
    found = await session.scalar(
        select(col(Handling.id))
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .where(
            col(Suggestion.proposal_id) == proposal_id,
            col(Handling.department_id) == department_id,
        )
        .limit(1)
    )
    return found is not None


async def face_meetings(
    session: AsyncSession, *, proposal_id: int, department_id: int | None = None
) -> list[FaceMeeting]:
    """A proposal's face-to-face meetings (one department's, given one), oldest first."""
    stmt = select(FaceMeeting).where(col(FaceMeeting.proposal_id) == proposal_id)
    if department_id is not None:
        stmt = stmt.where(col(FaceMeeting.department_id) == department_id)
    rows = await session.execute(stmt.order_by(col(FaceMeeting.met_on), col(FaceMeeting.id)))
    return list(rows.scalars())


async def record_face_meeting(
    session: AsyncSession,
    *,
    proposal_id: int,
    department_id: int,
    met_on: dt.date,
    note: str,
    actor: Actor,
    now: dt.datetime,
    tz: dt.tzinfo,
    notifier: Notifier,
) -> FaceMeeting:
    """Record the meeting on the proposal's timeline and tell its author.

    Only a department given an item of the proposal may; the day is not in the future
    (the committee's calendar).
    """
    body = check_answer(note)
    if len(body) > NOTE_MAX:
        raise DomainError("text_too_long", maximum=NOTE_MAX, length=len(body))
    if met_on > now.astimezone(tz).date():
        raise DomainError("face_date_future")
    async with write_transaction(session):
        proposal = await lock_proposal(session, proposal_id)
        if not await holds_proposal(session, department_id=department_id, proposal_id=proposal_id):
            raise NotFoundError("proposal")
        meeting = FaceMeeting(
            proposal_id=proposal_id,
            department_id=department_id,
            met_on=met_on,
            note=body,
            recorded_at=now,
        )
        session.add(meeting)
        add_line(
            session,
            kind="face",
            actor=actor,
            now=now,
            proposal_id=proposal_id,
            body=met_on.isoformat(),
        )
        await session.flush()
        audit(
            session,
            actor=actor,
            action="proposal.face_meeting",
            object_kind="proposal",
            object_id=proposal.number or proposal.id,
            after={"met_on": met_on.isoformat(), "department_id": department_id},
            now=now,
        )
        await tell_chats(
            session,
            await author_chats(session, proposal),
            kind="proposal-face-meeting",
            key=f"proposal:{proposal_id}:face:{meeting.id}",
            notifier=notifier,
            now=now,
            proposal=proposal,
            meeting=meeting,
            department_name=actor.name,
        )
    return meeting
