"""What an assignee (a member or a department's handler) does with the cases given to them.

They see only what is assigned to them, answer the resident through the bot (neither side
sees the other's chat), ask staff for more time, or hand a case back.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.cases.audience import tell_staff
from services.cases.common import (
    Assignee,
    add_event,
    assigned_case,
    check_text,
    record_answer,
    require_status,
)
from services.cases.residents import IssueDetail, get_issue
from services.cases.transitions import ANSWERING as ANSWERING
from services.cases.transitions import ASSIGNEE_ANSWER, HAND_BACK, Change, apply_transition
from services.cases.transitions import WORKING as WORKING
from services.errors import DomainError
from services.outbox.notices import Notifier
from storage.db import write_transaction
from storage.enums import IssueEventKind
from storage.models import Issue, IssueCategory, IssueEvent, IssueExtension, Station

PAGE_SIZE = 6
EXTENSION_DAYS = (1, 60)
REASON_MAX = 1000


@dataclass(frozen=True)
class AssignedItem:
    """One line of an assignee's list."""

    issue: Issue
    station: Station
    category: IssueCategory


@dataclass(frozen=True)
class AssignedPage:
    """A page of an assignee's cases: open ones first, the soonest due first."""

    items: list[AssignedItem]
    total: int
    open_count: int
    page: int
    pages: int


def _held_by(assignee: Assignee) -> Any:
    if assignee.kind == "member":
        return col(Issue.assignee_member_id) == assignee.id
    return col(Issue.assignee_department_id) == assignee.id


async def assigned_page(
    session: AsyncSession, *, assignee: Assignee, page: int = 0, page_size: int = PAGE_SIZE
) -> AssignedPage:
    """The cases assigned to ``assignee``: those waiting for them first, by due date."""
    held = _held_by(assignee)
    waiting = col(Issue.status).in_(sorted(WORKING))
    total, open_count = (
        await session.execute(
            select(func.count(), func.count().filter(waiting)).select_from(Issue).where(held)
        )
    ).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    rows = (
        await session.execute(
            select(Issue, Station, IssueCategory)
            .join(Station, col(Station.id) == col(Issue.station_id))
            .join(IssueCategory, col(IssueCategory.id) == col(Issue.category_id))
            .where(held)
            .order_by(~waiting, col(Issue.due_at), col(Issue.id))
            .offset(page * page_size)
            .limit(page_size)
        )
    ).all()
    return AssignedPage(
        items=[AssignedItem(issue, station, category) for issue, station, category in rows],
        total=int(total),
        open_count=int(open_count),
        page=page,
        pages=pages,
    )


async def assigned_issue(
    session: AsyncSession, *, assignee: Assignee, issue_id: int
) -> IssueDetail | None:
    """A case with its timeline, if it is assigned to ``assignee``; else None."""
    if assignee.kind == "member":
        return await get_issue(session, issue_id=issue_id, assignee_member_id=assignee.id)
    return await get_issue(session, issue_id=issue_id, assignee_department_id=assignee.id)


async def assignee_reply(
    session: AsyncSession,
    *,
    issue_id: int,
    text: str,
    assignee: Assignee,
    now: dt.datetime,
    notifier: Notifier,
) -> IssueEvent:
    """Answer the resident of a case assigned to ``assignee``."""

    async def answer(issue: Issue) -> Change:
        return Change(body=record_answer(issue, text=text, now=now))

    applied = await apply_transition(
        session,
        ASSIGNEE_ANSWER,
        issue_id=issue_id,
        assignee=assignee,
        actor=assignee.actor,
        now=now,
        notifier=notifier,
        work=answer,
    )
    return applied.event


async def pending_extension(session: AsyncSession, *, issue_id: int) -> IssueExtension | None:
    """The request for more time staff have not decided yet, if any."""
    return (
        await session.execute(
            select(IssueExtension).where(
                col(IssueExtension.issue_id) == issue_id, col(IssueExtension.decision).is_(None)
            )
        )
    ).scalar_one_or_none()


async def request_extension(
    session: AsyncSession,
    *,
    issue_id: int,
    days: int,
    reason: str,
    assignee: Assignee,
    now: dt.datetime,
    notifier: Notifier,
) -> IssueExtension:
    """Ask staff for ``days`` more; one request at a time."""
    low, high = EXTENSION_DAYS
    if not low <= days <= high:
        raise DomainError("days_range", minimum=low, maximum=high)
    body = check_text(reason, maximum=REASON_MAX)
    async with write_transaction(session):
        issue = await assigned_case(session, assignee, issue_id)
        require_status(issue, WORKING)
        if await pending_extension(session, issue_id=issue_id) is not None:
            raise DomainError("extension_pending")
        extension = IssueExtension(
            issue_id=issue_id,
            requested_by=assignee.kind,
            requester_id=assignee.id,
            days=days,
            reason=body,
            created_at=now,
        )
        session.add(extension)
        add_event(
            session,
            issue,
            kind=IssueEventKind.EXTENSION,
            actor=assignee.actor,
            now=now,
            public=False,
            body=f"+{days}: {body}",
        )
        await session.flush()
        await tell_staff(
            session,
            issue,
            kind="case-extension-request",
            key=f"extension:{extension.id}",
            notifier=notifier,
            now=now,
            extension=extension,
            assignee=assignee,
        )
    return extension


async def hand_back(
    session: AsyncSession,
    *,
    issue_id: int,
    reason: str,
    assignee: Assignee,
    now: dt.datetime,
    notifier: Notifier,
) -> Issue:
    """Give a case back to staff, with the reason; it returns to their queue."""
    body = check_text(reason, maximum=REASON_MAX)

    async def give_back(issue: Issue) -> Change:
        issue.assignee_member_id = None
        issue.assignee_department_id = None
        return Change(body=body, notice={"assignee": assignee, "reason": body})

    applied = await apply_transition(
        session,
        HAND_BACK,
        issue_id=issue_id,
        assignee=assignee,
        actor=assignee.actor,
        now=now,
        notifier=notifier,
        work=give_back,
    )
    return applied.issue
