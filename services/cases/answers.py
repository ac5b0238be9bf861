"""Staff answer a case: an internal note, a reply to the resident, closing it as resolved.

A case can only be closed with an answer the resident can read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.cases.common import Assignee, add_event, assigned_case, check_text, record_answer
from services.cases.staff_actions import staff_case
from services.cases.transitions import ANSWER, RESOLVE, Change, apply_transition
from services.errors import DomainError
from services.outbox.notices import Notifier
from storage.db import write_transaction
from storage.enums import IssueEventKind
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

    async def answer(issue: Issue) -> Change:
        body = record_answer(issue, text=text, now=now)
        return Change(body=body, audit={"reply": body})

    applied = await apply_transition(
        session,
        ANSWER,
        issue_id=issue_id,
        scope=scope,
        actor=actor,
        now=now,
        notifier=notifier,
        work=answer,
    )
    return applied.event


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

    async def close(issue: Issue) -> Change:
        if issue.answered_at is None or issue.last_reply_at is None:
            raise DomainError("no_answer_yet")
        issue.resolved_at = now
        return Change()

    applied = await apply_transition(
        session,
        RESOLVE,
        issue_id=issue_id,
        scope=scope,
        actor=actor,
        now=now,
        notifier=notifier,
        work=close,
    )
    return applied.issue
