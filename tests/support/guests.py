"""Guests for tests: an upcoming consultation meeting and a guest invited to it."""

from __future__ import annotations

import datetime as dt

from services.accounts import identities
from services.audit import Actor
from services.consultations.guest_invites import IssuedGuestPass, invite_guest
from storage.db import Database, write_transaction
from storage.enums import GuestKind
from storage.models import ChatIdentity, Meeting
from tests.support.members import NOW

CLI = Actor.cli("test")


async def upcoming_meeting(
    db: Database, *, title: str = "专题协商：老旧小区加装电梯", days: int = 7, tag: str = "a"
) -> int:
    """A thematic consultation ``days`` from NOW, two hours long."""
    start = NOW + dt.timedelta(days=days)
    async with db.session() as session, write_transaction(session):
        meeting = Meeting(
            kind="thematic",
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            venue="政协会议室",
            agenda="一、通报情况\n二、协商讨论",
            checkin_code="654321",
            checkin_token=f"guest-test-{tag}",
            created_at=NOW - dt.timedelta(days=1),
        )
        session.add(meeting)
        await session.flush()
        assert meeting.id is not None
        return meeting.id


async def invited(
    db: Database, meeting_id: int, *, name: str = "王局长", now: dt.datetime = NOW
) -> IssuedGuestPass:
    """A department head invited to the meeting by the command line."""
    async with db.session() as session:
        return await invite_guest(
            session,
            meeting_id=meeting_id,
            name=name,
            kind=GuestKind.DEPARTMENT_HEAD,
            organisation="市住建局",
            staff_id=None,
            now=now,
            actor=CLI,
        )


async def chat(db: Database, chat_id: int) -> ChatIdentity:
    """A private Telegram chat's identity."""
    async with db.session() as session:
        return await identities.touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )


async def invite_member_chat(db: Database, meeting_id: int, code: str, chat_id: int) -> int:
    """Invite the member ``code`` to the meeting and link their chat ``chat_id``; their id."""
    from services.accounts.invites import issue_invite, redeem_invite
    from storage.models import MeetingInvitee
    from tests.support.members import member_by_code

    member = await member_by_code(db, code)
    assert member.id is not None
    identity = await chat(db, chat_id)
    async with db.session() as session:
        issued = await issue_invite(session, member_id=member.id, now=NOW)
        fresh = await session.get(ChatIdentity, identity.id)
        assert fresh is not None
        await redeem_invite(session, identity=fresh, code=issued.code, now=NOW)
        async with write_transaction(session):
            session.add(MeetingInvitee(meeting_id=meeting_id, member_id=member.id))
    return member.id
