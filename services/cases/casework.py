"""What staff do with a case: accept it, assign it, decline it, merge it as a duplicate.

Each action is a row of :mod:`services.cases.transitions` (the statuses it moves from and
to, its timeline line, audit entry and notices) plus its own work here. A case can only be
closed with an answer the resident can read: a reply (:mod:`services.cases.answers`), a
reason for not accepting it, or the case it was merged into.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor
from services.cases.common import Assignee, check_text
from services.cases.numbers import find_by_number
from services.cases.transitions import (
    ACCEPT,
    ASSIGN,
    DUPLICATE,
    REJECT,
    Change,
    apply_transition,
)
from services.errors import DomainError
from services.outbox.notices import Notifier
from storage.enums import MemberStatus
from storage.models import Department, Issue, IssueCategory, Member

REASON_MAX = 1000
MAX_DUE = dt.timedelta(days=366)


async def accept(
    session: AsyncSession,
    *,
    issue_id: int,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> Issue:
    """Take a new (or reopened) case on; the resident is told."""
    applied = await apply_transition(
        session, ACCEPT, issue_id=issue_id, scope=scope, actor=actor, now=now, notifier=notifier
    )
    return applied.issue


async def default_due(session: AsyncSession, issue: Issue, now: dt.datetime) -> dt.datetime:
    """The due date an assignment gets unless staff choose another: the category's days."""
    category = await session.get(IssueCategory, issue.category_id)
    days = category.due_days if category is not None else 14
    return now + dt.timedelta(days=days)


async def _target(session: AsyncSession, assignee: Assignee) -> Assignee:
    if assignee.kind == "member":
        member = await session.get(Member, assignee.id)
        if member is None or member.status != MemberStatus.ACTIVE:
            raise DomainError("assignee_unknown")
        return Assignee("member", assignee.id, member.name)
    if assignee.kind == "department":
        department = await session.get(Department, assignee.id)
        if department is None or not department.active:
            raise DomainError("assignee_unknown")
        return Assignee("department", assignee.id, department.name_zh)
    raise DomainError("assignee_unknown")


async def assign(
    session: AsyncSession,
    *,
    issue_id: int,
    to: Assignee,
    due_at: dt.datetime | None,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> Issue:
    """Give the case to a member or a department with a due date; both sides are told."""

    async def give(issue: Issue) -> Change:
        target = await _target(session, to)
        due = due_at or await default_due(session, issue, now)
        if due <= now:
            raise DomainError("due_in_past")
        if due > now + MAX_DUE:
            raise DomainError("due_too_far")
        issue.assignee_member_id = target.id if target.kind == "member" else None
        issue.assignee_department_id = target.id if target.kind == "department" else None
        issue.assigned_at = now
        issue.due_at = due
        return Change(body=target.name)

    applied = await apply_transition(
        session,
        ASSIGN,
        issue_id=issue_id,
        scope=scope,
        actor=actor,
        now=now,
        notifier=notifier,
        work=give,
    )
    return applied.issue


async def reject(
    session: AsyncSession,
    *,
    issue_id: int,
    reason: str,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> Issue:
    """Decline the case with a reason the resident reads; that reason is its answer."""
    body = check_text(reason, maximum=REASON_MAX)

    async def decline(issue: Issue) -> Change:
        issue.answered_at = issue.answered_at or now
        issue.last_reply_at = now
        issue.resolved_at = now
        return Change(body=body, notice={"reason": body})

    applied = await apply_transition(
        session,
        REJECT,
        issue_id=issue_id,
        scope=scope,
        actor=actor,
        now=now,
        notifier=notifier,
        work=decline,
    )
    return applied.issue


async def merge_target(
    session: AsyncSession, *, issue_id: int, original_number: str, scope: StaffScope
) -> Issue:
    """The case a merge into ``original_number`` would really join, checked, changing nothing.

    Merging into a duplicate means merging into what that one follows. A number out of the
    staff member's scope reads as unknown; a case cannot be merged into itself.
    """
    original = await find_by_number(session, original_number)
    while original is not None and original.duplicate_of_id is not None:
        original = await session.get(Issue, original.duplicate_of_id)
    if original is None or not scope.covers(original.station_id):
        raise DomainError("original_unknown")
    if original.id == issue_id:
        raise DomainError("original_is_itself")
    return original


async def mark_duplicate(
    session: AsyncSession,
    *,
    issue_id: int,
    original_number: str,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> tuple[Issue, Issue]:
    """Merge the case into another one its resident then follows; returns both."""

    async def merge(issue: Issue) -> Change:
        original = await merge_target(
            session, issue_id=issue_id, original_number=original_number, scope=scope
        )
        assert original.id is not None
        issue.duplicate_of_id = original.id
        issue.resolved_at = now
        # Cases merged into this one follow the original from now on.
        await session.execute(
            update(Issue)
            .where(col(Issue.duplicate_of_id) == issue.id)
            .values(duplicate_of_id=original.id, updated_at=now)
        )
        return Change(body=original.number, notice={"original": original})

    applied = await apply_transition(
        session,
        DUPLICATE,
        issue_id=issue_id,
        scope=scope,
        actor=actor,
        now=now,
        notifier=notifier,
        work=merge,
    )
    original: Issue = applied.change.notice["original"]
    return applied.issue, original
