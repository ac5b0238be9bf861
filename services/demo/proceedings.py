"""A demo consultation held three days before the demo's "now", from booked speeches to outcome.

Members booked speeches and a guest (a department head invited by link) spoke as well;
remarks came in from afar; staff recorded the four steps and the confirmed suggestions, and
formed the outcome from them. Loading it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor
from services.consultations.steps import record_step
from services.consultations.to_outcome import form_meeting_outcome
from services.members.rules import RuleBook
from storage.db import write_transaction
from storage.enums import CONSULTATION_STEP_ORDER, GuestKind
from storage.models import (
    Meeting,
    MeetingGuest,
    MeetingInvitee,
    Member,
    RemoteRemark,
    SpeechBooking,
    SpeechState,
)

DEMO_CHECKIN = "demo-proceedings"
TITLE = "专题协商会：老旧小区加装电梯"
SPEAKERS = (
    ("M001", "加装电梯的资金分摊办法", SpeechState.SPOKEN),
    ("M002", "低楼层住户的补偿", SpeechState.SPOKEN),
    ("M003", "施工期间的出行安排", SpeechState.WITHDRAWN),
)
REMARKS = (
    ("M003", "建议把维修养护责任写进业主协议。"),
    ("M002", "可以参考外地“一梯一策”的做法。"),
)
NOTES = (
    "委员和住建局负责人分别陈述意见。",
    "围绕资金分摊和低层补偿充分讨论。",
    "根据讨论修改建议稿。",
    "与会人员一致确认三条建议。",
)
SUGGESTIONS = (
    "1. 设立加装电梯专项补助资金，按楼栋给予补贴。\n"
    "2. 简化加装电梯审批流程，推行“一窗受理”。\n"
    "3. 建立低楼层住户协商补偿机制，由街道调解。"
)


async def _meeting(session: AsyncSession, now: dt.datetime) -> Meeting | None:
    """The demo consultation with its invitees and guest; None when it exists already."""
    found = await session.execute(select(Meeting).where(col(Meeting.checkin_token) == DEMO_CHECKIN))
    if found.first() is not None:
        return None
    start = (now - dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    meeting = Meeting(
        kind="thematic",
        title=TITLE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue="政协三楼会议室",
        agenda="一、委员发言\n二、部门回应\n三、讨论并确认建议",
        checkin_code="318205",
        checkin_token=DEMO_CHECKIN,
        created_at=start - dt.timedelta(days=14),
    )
    session.add(meeting)
    await session.flush()
    return meeting


async def seed_demo_proceedings(
    session: AsyncSession, *, now: dt.datetime, tz: dt.tzinfo, rulebook: RuleBook
) -> int:
    """Seed the demo consultation and form its outcome; 1 when seeded, 0 when it was there."""
    async with write_transaction(session):
        meeting = await _meeting(session, now)
        if meeting is None or meeting.id is None:
            return 0
        meeting_id, start = meeting.id, meeting.starts_at
        codes = [code for code, _title, _state in SPEAKERS]
        members = {
            m.code: m.id
            for m in (
                await session.execute(select(Member).where(col(Member.code).in_(codes)))
            ).scalars()
        }
        for code in codes:
            if members.get(code) is not None:
                session.add(
                    MeetingInvitee(
                        meeting_id=meeting_id,
                        member_id=members[code] or 0,
                        response="attending",
                        checked_in_at=start - dt.timedelta(minutes=10),
                    )
                )
        guest = MeetingGuest(
            meeting_id=meeting_id,
            name="王建国",
            kind=GuestKind.DEPARTMENT_HEAD,
            organisation="市住房和城乡建设局",
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            created_at=start - dt.timedelta(days=7),
            expires_at=start + dt.timedelta(days=1),
            redeemed_at=start - dt.timedelta(days=6),
        )
        session.add(guest)
        await session.flush()
        position = 0
        for code, title, state in SPEAKERS:
            if members.get(code) is None:
                continue
            position += 1
            _speech(session, meeting_id, start, position, title, state, member_id=members[code])
        position += 1
        _speech(
            session,
            meeting_id,
            start,
            position,
            "住建局对加装电梯政策的说明",
            SpeechState.SPOKEN,
            guest_id=guest.id,
        )
        for minute, (code, text) in enumerate(REMARKS, start=1):
            if members.get(code) is not None:
                session.add(
                    RemoteRemark(
                        meeting_id=meeting_id,
                        member_id=members[code],
                        text=text,
                        created_at=start + dt.timedelta(minutes=20 * minute),
                    )
                )
    office = StaffScope(staff_id=0, name="demo", admin=True, station_ids=frozenset())
    actor = Actor.cli("demo")
    for index, step in enumerate(CONSULTATION_STEP_ORDER):
        await record_step(
            session,
            scope=office,
            actor=actor,
            meeting_id=meeting_id,
            step=step,
            note=NOTES[index],
            suggestions=SUGGESTIONS,
            now=start + dt.timedelta(minutes=25 * (index + 1)),
        )
    await form_meeting_outcome(
        session,
        scope=office,
        actor=actor,
        meeting_id=meeting_id,
        rules=rulebook.for_year(now.astimezone(tz).year).pipeline,
        now=start + dt.timedelta(hours=2, minutes=30),
        tz=tz,
    )
    return 1


def _speech(
    session: AsyncSession,
    meeting_id: int,
    start: dt.datetime,
    position: int,
    title: str,
    state: str,
    *,
    member_id: int | None = None,
    guest_id: int | None = None,
) -> None:
    booked = start - dt.timedelta(days=1, minutes=position)
    at = start + dt.timedelta(minutes=10 * position)
    session.add(
        SpeechBooking(
            meeting_id=meeting_id,
            member_id=member_id,
            guest_id=guest_id,
            title=title,
            position=position,
            minutes=5,
            state=state,
            booked_at=booked,
            called_at=at if state == SpeechState.SPOKEN else None,
            spoken_at=at + dt.timedelta(minutes=5) if state == SpeechState.SPOKEN else None,
            withdrawn_at=booked + dt.timedelta(hours=2) if state == SpeechState.WITHDRAWN else None,
        )
    )
