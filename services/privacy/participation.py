"""A resident's part in the committee's work beyond their own cases, for the export and erasure.

The cases they follow ("me too"), the consultation topics they suggested at a station and the
questions they sent before a station's open session: all of it is theirs to see in ``/mydata``,
and ``/forget`` takes their name off it (a suggested topic stays, anonymous, since the office
may already have planned it; follows and questions go with the resident's row).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.enums import ActorKind
from storage.models import (
    Issue,
    IssueSupport,
    SessionQuestion,
    Station,
    StationSession,
    Topic,
)


def _when(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def participation(session: AsyncSession, *, resident_id: int) -> dict[str, Any]:
    """The resident's follows, suggested topics and questions, as JSON-able values."""
    followed = await session.execute(
        select(col(Issue.number), col(IssueSupport.created_at))
        .join(Issue, col(Issue.id) == col(IssueSupport.issue_id))
        .where(col(IssueSupport.resident_id) == resident_id)
        .order_by(col(IssueSupport.created_at))
    )
    topics = await session.execute(
        select(col(Topic.title), col(Topic.description), col(Topic.state), col(Topic.created_at))
        .where(
            col(Topic.proposer_kind) == ActorKind.RESIDENT,
            col(Topic.proposer_id) == resident_id,
        )
        .order_by(col(Topic.created_at))
    )
    questions = await session.execute(
        select(
            col(StationSession.title),
            col(Station.code),
            col(SessionQuestion.text),
            col(SessionQuestion.created_at),
        )
        .join(StationSession, col(StationSession.id) == col(SessionQuestion.session_id))
        .join(Station, col(Station.id) == col(StationSession.station_id))
        .where(col(SessionQuestion.resident_id) == resident_id)
        .order_by(col(SessionQuestion.created_at))
    )
    return {
        "followed_cases": [{"number": number, "since": _when(since)} for number, since in followed],
        "suggested_topics": [
            {"title": title, "description": text, "state": state, "at": _when(at)}
            for title, text, state, at in topics
        ],
        "session_questions": [
            {"session": title, "station": station, "question": text, "at": _when(at)}
            for title, station, text, at in questions
        ],
    }


async def forget_topics(session: AsyncSession, *, resident_id: int) -> int:
    """Take the resident's name off the topics they suggested; how many."""
    result = await session.execute(
        update(Topic)
        .where(
            col(Topic.proposer_kind) == ActorKind.RESIDENT,
            col(Topic.proposer_id) == resident_id,
        )
        .values(proposer_id=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
