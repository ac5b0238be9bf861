"""Residents' questions sent before an open session starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.identities import ensure_resident
from services.errors import DomainError
from storage.db import write_transaction
from storage.models import SessionQuestion, StationSession

QUESTION_MIN = 5
QUESTION_MAX = 500
QUESTIONS_PER_RESIDENT = 3


async def open_session(session: AsyncSession, session_id: int, now: dt.datetime) -> StationSession:
    """An announced session that still takes questions: not cancelled, not started."""
    row = await session.get(StationSession, session_id)
    if row is None or row.announced_at is None:
        raise DomainError("session_unknown")
    if row.cancelled_at is not None or row.starts_at <= now:
        raise DomainError("session_questions_closed")
    return row


def check_question(text: str) -> str:
    """The question stripped, or a refusal naming the bound it breaks."""
    text = text.strip()
    if len(text) < QUESTION_MIN:
        raise DomainError("question_short", minimum=QUESTION_MIN)
    if len(text) > QUESTION_MAX:
        raise DomainError("question_long", maximum=QUESTION_MAX)
    return text


async def ask_question(
    session: AsyncSession, *, identity_id: int, session_id: int, text: str, now: dt.datetime
) -> SessionQuestion:
    """Store a resident's question; at most a few per resident, and only before the start."""
    text = check_question(text)
    async with write_transaction(session):
        await open_session(session, session_id, now)
        resident = await ensure_resident(session, identity_id=identity_id, now=now)
        asked = (
            await session.execute(
                select(func.count())
                .select_from(SessionQuestion)
                .where(
                    col(SessionQuestion.session_id) == session_id,
                    col(SessionQuestion.resident_id) == resident.id,
                )
            )
        ).scalar_one()
        if asked >= QUESTIONS_PER_RESIDENT:
            raise DomainError("questions_too_many", maximum=QUESTIONS_PER_RESIDENT)
        assert resident.id is not None
        question = SessionQuestion(
            session_id=session_id, resident_id=resident.id, text=text, created_at=now
        )
        session.add(question)
    return question


async def session_questions(session: AsyncSession, *, session_id: int) -> Sequence[SessionQuestion]:
    """The questions sent for a session, oldest first (the caller checks the scope)."""
    stmt = (
        select(SessionQuestion)
        .where(col(SessionQuestion.session_id) == session_id)
        .order_by(col(SessionQuestion.created_at), col(SessionQuestion.id))
    )
    return (await session.execute(stmt)).scalars().all()
