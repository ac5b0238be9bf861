"""The research stage (开题) of a consultation: who researches what, due when.

Staff add a task for a member (told at once through the outbox), a guest of the meeting or a
name typed by hand, and mark it done; the planner reminds a member of an open task the day
before it is due.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.calendar import local_today
from services.errors import DomainError
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.reminders.planning import Due
from storage.db import write_transaction
from storage.models import Meeting, MeetingGuest, Member, ResearchTask

WHAT_MAX = 500
ASSIGNEE_MAX = 80
REMIND_BEFORE = dt.timedelta(days=1)


async def tasks_of(session: AsyncSession, *, meeting_id: int) -> list[ResearchTask]:
    """A meeting's research tasks, soonest due first."""
    rows = await session.scalars(
        select(ResearchTask)
        .where(col(ResearchTask.meeting_id) == meeting_id)
        .order_by(col(ResearchTask.due_on), col(ResearchTask.id))
    )
    return list(rows)


async def resolve_assignee(
    session: AsyncSession, *, meeting_id: int, typed: str
) -> tuple[int | None, int | None, str]:
    """A member by their code, a guest of the meeting by their name, else the typed name."""
    typed = typed.strip()
    member = await session.scalar(select(Member).where(col(Member.code) == typed.upper()))
    if member is not None:
        return member.id, None, ""
    guest = await session.scalar(
        select(MeetingGuest).where(
            col(MeetingGuest.meeting_id) == meeting_id,
            col(MeetingGuest.name) == typed,
            col(MeetingGuest.revoked_at).is_(None),
        )
    )
    if guest is not None:
        return None, guest.id, ""
    return None, None, typed


async def add_research_task(
    session: AsyncSession,
    *,
    meeting_id: int,
    assignee: str,
    what: str,
    due_on: dt.date,
    staff_id: int | None,
    now: dt.datetime,
    tz: dt.tzinfo,
    actor: Actor,
    notifier: Notifier,
) -> ResearchTask:
    """Add a research task; a member assignee is told in the same transaction.

    Codes: ``not_found`` (meeting), ``assignee_empty``, ``assignee_too_long``, ``what_empty``,
    ``what_too_long`` (with ``limit``), ``due_past``.
    """
    what = what.strip()
    if not assignee.strip():
        raise DomainError("assignee_empty")
    if len(assignee.strip()) > ASSIGNEE_MAX:
        raise DomainError("assignee_too_long", limit=ASSIGNEE_MAX)
    if not what:
        raise DomainError("what_empty")
    if len(what) > WHAT_MAX:
        raise DomainError("what_too_long", limit=WHAT_MAX)
    if due_on < local_today(now, tz):
        raise DomainError("due_past")
    async with write_transaction(session):
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None:
            raise DomainError("not_found", what="meeting")
        member_id, guest_id, text = await resolve_assignee(
            session, meeting_id=meeting_id, typed=assignee
        )
        task = ResearchTask(
            meeting_id=meeting_id,
            member_id=member_id,
            guest_id=guest_id,
            assignee_text=text,
            what=what,
            due_on=due_on,
            created_by_staff_id=staff_id,
            created_at=now,
        )
        session.add(task)
        await session.flush()
        if member_id is not None:
            for identity in (await member_chats(session, [member_id]))[member_id]:
                to = Recipient.of(identity)
                await add(
                    session,
                    to=to,
                    message=notifier.render("research-task", identity, task=task, meeting=meeting),
                    dedupe_key=f"research:{task.id}:assigned:{to.identity_id}",
                    now=now,
                    kind="research-task",
                )
        audit(
            session,
            actor=actor,
            action="research.add",
            object_kind="research_task",
            object_id=task.id,
            after={"meeting": meeting_id, "what": what, "due_on": due_on.isoformat()},
            now=now,
        )
    return task


async def mark_task_done(
    session: AsyncSession, *, meeting_id: int, task_id: int, now: dt.datetime, actor: Actor
) -> ResearchTask:
    """Mark a task of this meeting done. Codes: ``not_found``, ``already_done``."""
    async with write_transaction(session):
        task = await session.get(ResearchTask, task_id)
        if task is None or task.meeting_id != meeting_id:
            raise DomainError("not_found", what="research_task")
        if task.done_at is not None:
            raise DomainError("already_done")
        task.done_at = now
        session.add(task)
        audit(
            session,
            actor=actor,
            action="research.done",
            object_kind="research_task",
            object_id=task.id,
            now=now,
        )
    return task


async def research_reminders(
    session: AsyncSession, *, now: dt.datetime, tz: dt.tzinfo
) -> list[Due]:
    """A reminder to each member whose open task is due tomorrow or today."""
    today = local_today(now, tz)
    rows = await session.execute(
        select(ResearchTask, Meeting)
        .join(Meeting, col(Meeting.id) == col(ResearchTask.meeting_id))
        .where(
            col(ResearchTask.done_at).is_(None),
            col(ResearchTask.member_id).is_not(None),
            col(ResearchTask.due_on) >= today,
            col(ResearchTask.due_on) <= today + REMIND_BEFORE,
            col(Meeting.cancelled_at).is_(None),
        )
    )
    dues: list[Due] = []
    tasks = [(task, meeting) for task, meeting in rows]
    chats = await member_chats(session, [task.member_id or 0 for task, _meeting in tasks])
    for task, meeting in tasks:
        for identity in chats.get(task.member_id or 0, []):
            dues.append(
                Due(
                    key=f"research:{task.id}:due:{identity.id}",
                    kind="research-due",
                    identity=identity,
                    data={"task": task, "meeting": meeting},
                )
            )
    return dues
