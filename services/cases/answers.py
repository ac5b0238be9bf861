"""Staff answer a case: an internal note, a reply to the resident, closing it as resolved.

A case can only be closed with an answer the resident can read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.cases.audience import tell_residents
from services.cases.common import (
    CLOSED,
    Assignee,
    add_event,
    assigned_case,
    check_text,
    reply_to_resident,
)
from services.cases.staff_actions import audit_change, snapshot, staff_case
from services.errors import DomainError
from services.outbox.notices import Notifier
from storage.db import write_transaction
from storage.enums import IssueEventKind, IssueStatus
from storage.models import Issue, IssueEvent

NOTE_MAX = 2000


async def add_note(
    session: AsyncSession,
    *,
    issue_id: int,
    text: str,
    actor: Actor,
    now: dt.datetime,
    scope: StaffScope | None = None,
    assignee: Assignee | None = None,
) -> IssueEvent:
    """An internal note residents never see; by staff in scope or by the case's assignee."""
    body = check_text(text, maximum=NOTE_MAX)
    async with write_transaction(session):
        if scope is not None:
            issue = await staff_case(session, issue_id, scope)
        elif assignee is None:
            raise DomainError("issue_unknown")
        else:
            issue = await assigned_case(session, assignee, issue_id)
        event = add_event(
            session,
            issue,
            kind=IssueEventKind.NOTE,
            actor=actor,
            now=now,
            public=False,
            body=body,
        )
        if scope is not None:
            audit(
                session,
                actor=actor,
                action="issue.note",
                object_kind="issue",
                object_id=issue.number,
                after={"note": body},
                now=now,
            )
    return event


async def staff_reply(
    session: AsyncSession,
    *,
    issue_id: int,
    text: str,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> IssueEvent:
    """Answer the resident directly from the office."""
    async with write_transaction(session):
        issue = await staff_case(session, issue_id, scope)
        before = snapshot(issue)
        event = await reply_to_resident(
            session, issue, text=text, actor=actor, now=now, notifier=notifier
        )
        audit_change(
            session, issue, before, actor=actor, action="issue.reply", now=now, reply=event.body
        )
    return event


async def resolve(
    session: AsyncSession,
    *,
    issue_id: int,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> Issue:
    """Close an answered case; one that never had an answer cannot be closed."""
    async with write_transaction(session):
        issue = await staff_case(session, issue_id, scope)
        if issue.status in CLOSED:
            raise DomainError("wrong_status", status=issue.status)
        if issue.answered_at is None or issue.last_reply_at is None:
            raise DomainError("no_answer_yet")
        before = snapshot(issue)
        event = add_event(
            session,
            issue,
            kind=IssueEventKind.STATUS,
            actor=actor,
            now=now,
            to_status=IssueStatus.RESOLVED,
        )
        issue.resolved_at = now
        await session.flush()
        audit_change(session, issue, before, actor=actor, action="issue.resolve", now=now)
        await tell_residents(
            session,
            issue,
            kind="case-resolved",
            key=f"resolved:{event.id}",
            notifier=notifier,
            now=now,
        )
    return issue
