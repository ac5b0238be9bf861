"""Remote remarks (网络议政): written in the chat during the meeting's window, read in order.

The window is the meeting's own times unless staff set another. Outside it a remark is
refused and the text is left with the writer to send again; a remark has a length limit, and
a writer sending faster than the limit is asked to wait.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.consultations.taking_part import (
    Participant,
    proceedings_of,
    speaker_name,
    staff_meeting,
)
from services.errors import DomainError
from storage.db import write_transaction
from storage.models import Meeting, MeetingProceedings, RemoteRemark

REMARK_MAX = 1000
# At most this many remarks from one writer in FLOOD_WINDOW.
FLOOD_LIMIT = 5
FLOOD_WINDOW = dt.timedelta(minutes=1)
PAGE = 5


def remote_window(
    meeting: Meeting, settings: MeetingProceedings | None
) -> tuple[dt.datetime, dt.datetime]:
    """When remarks are taken: staff's window when set, else the meeting's times."""
    opens = settings.remote_opens_at if settings and settings.remote_opens_at else None
    closes = settings.remote_closes_at if settings and settings.remote_closes_at else None
    return opens or meeting.starts_at, closes or meeting.ends_at


async def window_of(session: AsyncSession, meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    """The meeting's window for remote remarks."""
    return remote_window(meeting, await session.get(MeetingProceedings, meeting.id))


def check_remark(text: str) -> str:
    """A remark, trimmed; refused empty or over-long."""
    text = text.strip()
    if not text or len(text) > REMARK_MAX:
        raise DomainError("remark_length", maximum=REMARK_MAX, length=len(text))
    return text


async def add_remark(
    session: AsyncSession, *, participant: Participant, text: str, now: dt.datetime
) -> RemoteRemark:
    """Store a remark written inside the window."""
    text = check_remark(text)
    opens, closes = await window_of(session, participant.meeting)
    if not opens <= now < closes or participant.meeting.closed_at is not None:
        raise DomainError("remark_outside_window", opens=opens, closes=closes)
    owner = (
        col(RemoteRemark.member_id) == participant.member_id
        if participant.member_id is not None
        else col(RemoteRemark.guest_id) == participant.guest_id
    )
    async with write_transaction(session):
        recent = await session.scalar(
            select(func.count()).where(
                col(RemoteRemark.meeting_id) == participant.meeting_id,
                owner,
                col(RemoteRemark.created_at) > now - FLOOD_WINDOW,
            )
        )
        if (recent or 0) >= FLOOD_LIMIT:
            raise DomainError("remark_too_fast", seconds=int(FLOOD_WINDOW.total_seconds()))
        remark = RemoteRemark(
            meeting_id=participant.meeting_id,
            member_id=participant.member_id,
            guest_id=participant.guest_id,
            text=text,
            created_at=now,
        )
        session.add(remark)
        await session.flush()
    return remark


@dataclass(frozen=True)
class RemarkLine:
    """A remark with its writer's name, for staff."""

    remark: RemoteRemark
    author: str


async def remarks_page(
    session: AsyncSession, *, scope: StaffScope, meeting_id: int, page: int, size: int = PAGE
) -> tuple[list[RemarkLine], int]:
    """One page of the meeting's remarks in the order written, and how many there are."""
    await staff_meeting(session, scope=scope, meeting_id=meeting_id)
    total = await session.scalar(
        select(func.count()).where(col(RemoteRemark.meeting_id) == meeting_id)
    )
    rows = await session.scalars(
        select(RemoteRemark)
        .where(col(RemoteRemark.meeting_id) == meeting_id)
        .order_by(col(RemoteRemark.created_at), col(RemoteRemark.id))
        .offset(max(page, 0) * size)
        .limit(size)
    )
    lines = [
        RemarkLine(
            remark,
            await speaker_name(session, member_id=remark.member_id, guest_id=remark.guest_id),
        )
        for remark in rows
    ]
    return lines, total or 0


async def set_remote_window(
    session: AsyncSession,
    *,
    scope: StaffScope,
    actor: Actor,
    meeting_id: int,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """Set (or with None, clear) the window for remote remarks."""
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise DomainError("remark_window_order")
    async with write_transaction(session):
        await staff_meeting(session, scope=scope, meeting_id=meeting_id)
        settings = await proceedings_of(session, meeting_id)
        settings.remote_opens_at = opens_at
        settings.remote_closes_at = closes_at
        await session.flush()
        audit(
            session,
            actor=actor,
            action="remarks.window",
            object_kind="meeting",
            object_id=meeting_id,
            after={"opens": opens_at, "closes": closes_at},
            now=now,
        )
