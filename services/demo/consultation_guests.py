"""The demo's consultation with a guest, its materials, research task and commented draft.

An upcoming thematic consultation with two materials, a research task, the draft report with
one comment, and a department head invited as a guest.
The guest's link has a fixed token (``g-demo-guest``) so the README can name it: in the demo
web chat, ``/start g-demo-guest`` makes a fresh chat that meeting's guest. Everything is
relative to the demo's "now", and seeded once.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from services.calendar import local_today
from services.consultations.drafts import (
    Commenter,
    add_comment,
    save_draft,
    send_draft_round,
)
from services.consultations.guest_invites import GUEST_PAYLOAD, PASS_GRACE, hash_token
from services.consultations.materials import add_material
from services.consultations.research import add_research_task
from services.meetings.materials import keep_file
from services.outbox.notices import Notifier
from storage.db import write_transaction
from storage.enums import GuestKind
from storage.models import Meeting, MeetingGuest, MeetingInvitee, Member

log = logging.getLogger(__name__)

CHECKIN = "demo-consultation-guests"
DEMO_GUEST_TOKEN = "demo-guest"  # noqa: S105  (a public demo link, listed in the README)
DEMO_GUEST_PAYLOAD = f"{GUEST_PAYLOAD}{DEMO_GUEST_TOKEN}"
TITLE = "专题协商会：加装电梯后的维护管理"
INVITED = ("M001", "M002", "M003")
MATERIALS = (
    ("加装电梯情况通报.txt", "全市老旧小区共 1,286 栋，已加装电梯 214 部。".encode()),
    ("居民意愿调查汇总.txt", "受访居民 3,420 户，支持加装 71%。".encode()),
)


async def seed_demo_consultation(
    session: AsyncSession,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    files_dir: Path,
    notifier: Notifier,
) -> int:
    """Seed the consultation once; 1 when seeded now, 0 when it was there already."""
    if await session.scalar(select(col(Meeting.id)).where(col(Meeting.checkin_token) == CHECKIN)):
        return 0
    actor = Actor.cli("demo")
    start = dt.datetime.combine(
        local_today(now, tz) + dt.timedelta(days=10), dt.time(9, 30), tzinfo=tz
    ).astimezone(dt.UTC)
    async with write_transaction(session):
        meeting = Meeting(
            kind="thematic",
            title=TITLE,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2, minutes=30),
            venue="市政协三楼会议室（可线上参加）",
            agenda="一、市住建局通报加装电梯工作情况\n二、委员和专家发言\n三、协商讨论，形成建议",
            checkin_code="240615",
            checkin_token=CHECKIN,
            created_at=now,
        )
        session.add(meeting)
        await session.flush()
        meeting_id = meeting.id or 0
        members = await session.execute(
            select(col(Member.id), col(Member.code)).where(col(Member.code).in_(INVITED))
        )
        ids = {code: member_id for member_id, code in members if member_id is not None}
        session.add_all(
            MeetingInvitee(meeting_id=meeting_id, member_id=member_id) for member_id in ids.values()
        )
        guest = MeetingGuest(
            meeting_id=meeting_id,
            name="李建国",
            kind=GuestKind.DEPARTMENT_HEAD,
            organisation="市住房和城乡建设局",
            token_hash=hash_token(DEMO_GUEST_TOKEN),
            created_at=now,
            expires_at=meeting.ends_at + PASS_GRACE,
        )
        session.add(guest)
    for name, data in MATERIALS:
        key = await keep_file(
            session, root=files_dir, data=data, name=name, mime_type="text/plain", now=now
        )
        await add_material(
            session,
            meeting_id=meeting_id,
            file_key=key,
            name=name,
            staff_id=None,
            now=now,
            actor=actor,
        )
    await add_research_task(
        session,
        meeting_id=meeting_id,
        assignee="M001",
        what="走访三个小区，了解加装电梯的资金分摊和低层住户意见",
        due_on=local_today(now, tz) + dt.timedelta(days=6),
        staff_id=None,
        now=now,
        tz=tz,
        actor=actor,
        notifier=notifier,
    )
    await save_draft(
        session,
        meeting_id=meeting_id,
        text="关于加快老旧小区加装电梯的建议（初稿）\n一、简化审批流程\n二、设立专项补助资金",
        file_key=None,
        file_name=None,
        comments_until=start - dt.timedelta(days=1),
        staff_id=None,
        now=now,
        actor=actor,
    )
    await send_draft_round(session, meeting_id=meeting_id, now=now, actor=actor, notifier=notifier)
    if "M002" in ids:
        await add_comment(
            session,
            meeting_id=meeting_id,
            commenter=Commenter(member_id=ids["M002"]),
            text="建议补充低层住户补偿机制。",
            now=now,
        )
    log.info("demo guest link: /start %s", DEMO_GUEST_PAYLOAD)
    return 1
