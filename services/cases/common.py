"""What every action on a case shares: who may hold it, loading it, timeline lines, answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from services.cases import limits
from services.errors import DomainError
from storage.models import (
    Issue,
    IssueEvent,
)

REPLY_MAX = 2000


@dataclass(frozen=True)
class Assignee:
    """Who a case can be assigned to: a member, or a department and its handlers."""

    kind: str
    id: int
    name: str = ""

    @property
    def actor(self) -> Actor:
        """The assignee as the author of timeline lines."""
        return Actor(self.kind, self.id, self.name)

    def holds(self, issue: Issue) -> bool:
        """Whether the case is assigned to this assignee now."""
        if self.kind == "member":
            return issue.assignee_member_id == self.id
        return issue.assignee_department_id == self.id


async def lock_issue(session: AsyncSession, issue_id: int) -> Issue:
    """The case, fresh from the database (and locked on PostgreSQL) inside a write transaction."""
    stmt = select(Issue).where(col(Issue.id) == issue_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    issue = (await session.execute(stmt)).scalar_one_or_none()
    if issue is None:
        raise DomainError("issue_unknown")
    return issue


async def assigned_case(session: AsyncSession, assignee: Assignee, issue_id: int) -> Issue:
    """The case, locked, if it is assigned to ``assignee``; unknown otherwise."""
    issue = await lock_issue(session, issue_id)
    if not assignee.holds(issue):
        raise DomainError("issue_unknown")
    return issue


def require_status(issue: Issue, allowed: frozenset[str]) -> None:
    """Refuse an action the case's status does not allow."""
    if issue.status not in allowed:
        raise DomainError("wrong_status", status=issue.status)


def check_text(text: str, *, maximum: int = REPLY_MAX) -> str:
    """A reply, note or reason: trimmed, not empty, not too long, control characters removed."""
    cleaned = limits.clean_text(text)
    if not cleaned:
        raise DomainError("text_empty")
    if len(cleaned) > maximum:
        raise DomainError("text_too_long", maximum=maximum, length=len(cleaned))
    return cleaned


def add_event(
    session: AsyncSession,
    issue: Issue,
    *,
    kind: str,
    actor: Actor,
    now: dt.datetime,
    public: bool = True,
    body: str | None = None,
    to_status: str | None = None,
) -> IssueEvent:
    """A timeline line; with ``to_status`` the case moves to that status too."""
    assert issue.id is not None
    event = IssueEvent(
        issue_id=issue.id,
        created_at=now,
        kind=kind,
        actor=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name[:160] or None,
        public=public,
        body=body,
        from_status=issue.status if to_status else None,
        to_status=to_status,
    )
    if to_status is not None:
        issue.status = to_status
    issue.updated_at = now
    session.add(event)
    return event


def record_answer(issue: Issue, *, text: str, now: dt.datetime) -> str:
    """A public answer's own changes to the case; returns the answer as it is kept.

    A new answer deserves a new rating: the rating requests start again from it.
    """
    body = check_text(text)
    issue.answered_at = issue.answered_at or now
    issue.last_reply_at = now
    issue.rated_at = None
    issue.rating = None
    issue.solved = None
    issue.resolved_at = None
    return body
