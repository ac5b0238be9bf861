"""Proceedings in tests: a consultation under way, guest passes, a participant."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from services.accounts.identities import touch_identity
from services.consultations.taking_part import Participant, may_take_part
from storage.db import Database, write_transaction
from storage.models import Meeting, MeetingGuest, MeetingInvitee, Member
from tests.support.cases import NOW


async def live_meeting(
    db: Database,
    *,
    invited: tuple[str, ...] = ("M001", "M002"),
    starts: dt.timedelta = dt.timedelta(minutes=-30),
    length: dt.timedelta = dt.timedelta(hours=2),
    kind: str = "bimonthly",
    token: str | None = None,
) -> int:
    """A consultation starting ``starts`` from NOW (under way by default), with invitees."""
    start = NOW + starts
    async with db.session() as session, write_transaction(session):
        meeting = Meeting(
            kind=kind,
            title="专题协商会：<老旧小区>加装电梯",
            starts_at=start,
            ends_at=start + length,
            venue="政协会议室",
            checkin_code="654321",
            checkin_token=token or secrets.token_hex(8),
            created_at=start - dt.timedelta(days=10),
        )
        session.add(meeting)
        await session.flush()
        assert meeting.id is not None
        rows = await session.execute(select(Member).where(Member.code.in_(invited)))  # type: ignore[attr-defined]
        for member in rows.scalars():
            session.add(MeetingInvitee(meeting_id=meeting.id, member_id=member.id or 0))
        return meeting.id


async def chat_identity(db: Database, chat_id: int) -> int:
    """A chat's identity id (made on first use)."""
    async with db.session() as session:
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        assert identity.id is not None
        return identity.id


async def guest_pass(
    db: Database,
    meeting_id: int,
    identity_id: int | None,
    *,
    name: str = "李局长",
    expires: dt.timedelta = dt.timedelta(days=3),
    redeemed: bool = True,
) -> int:
    """A guest pass of ``meeting_id`` held by ``identity_id``."""
    async with db.session() as session, write_transaction(session):
        guest = MeetingGuest(
            meeting_id=meeting_id,
            name=name,
            kind="department_head",
            organisation="住建局",
            token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            identity_id=identity_id,
            created_at=NOW - dt.timedelta(days=1),
            expires_at=NOW + expires,
            redeemed_at=NOW - dt.timedelta(hours=1) if redeemed else None,
        )
        session.add(guest)
        await session.flush()
        assert guest.id is not None
        return guest.id


async def member_id(db: Database, code: str) -> int:
    async with db.session() as session:
        member = (await session.execute(select(Member).where(Member.code == code))).scalar_one()
        return member.id or 0


async def participant(
    db: Database,
    meeting_id: int,
    *,
    member: str | None = None,
    identity_id: int = 0,
    now: dt.datetime = NOW,
) -> Participant:
    """The participant as the chat would be checked."""
    mid = await member_id(db, member) if member else None
    async with db.session() as session:
        return await may_take_part(
            session, meeting_id=meeting_id, identity_id=identity_id, member_id=mid, now=now
        )
