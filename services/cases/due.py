"""A case's one due date and the timeline lines that explain each change of it.

A case has one due date at any moment, ``Issue.due_at``: the category's days from the
report, then whatever staff chose when they passed it on, moved by a request for more time
they granted, and set afresh when the resident reopens the answer. Each change after the
report writes a ``due`` line holding the new date and why it moved, so the case's header
and the last due line of its timeline always agree.

A request for more time belongs to the assignee working on the case: once the case is
answered, closed, handed back or passed to someone else, a request still waiting lapses,
and nobody can grant a date the resident no longer waits for.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from services.cases.common import add_event
from storage.enums import ExtensionDecision, IssueEventKind
from storage.models import Issue, IssueEvent, IssueExtension


class DueReason(StrEnum):
    """Why a case's due date moved."""

    ASSIGNED = "assigned"
    EXTENDED = "extended"
    REOPENED = "reopened"


@dataclass(frozen=True)
class DueLine:
    """What a ``due`` timeline line holds: the new date, and why when it was recorded."""

    due_at: dt.datetime
    reason: DueReason | None = None
    days: int | None = None


def due_body(due_at: dt.datetime, reason: DueReason, days: int | None = None) -> str:
    """How a due line is kept on the timeline."""
    data: dict[str, object] = {"due_at": due_at.isoformat(), "reason": reason.value}
    if days is not None:
        data["days"] = days
    return json.dumps(data)


def read_due(body: str | None) -> DueLine | None:
    """A due line's date and reason; lines written before reasons were kept hold a bare date."""
    raw = body or ""
    try:
        return DueLine(dt.datetime.fromisoformat(raw))
    except ValueError:
        pass
    try:
        data = json.loads(raw)
        reason = DueReason(data["reason"])
        days = data.get("days")
        return DueLine(
            dt.datetime.fromisoformat(data["due_at"]),
            reason,
            int(days) if days is not None else None,
        )
    except (ValueError, KeyError, TypeError):
        return None


def record_due(
    session: AsyncSession,
    issue: Issue,
    *,
    reason: DueReason,
    actor: Actor,
    now: dt.datetime,
    days: int | None = None,
) -> IssueEvent:
    """Write the case's current due date and why it moved on its timeline."""
    assert issue.due_at is not None
    return add_event(
        session,
        issue,
        kind=IssueEventKind.DUE,
        actor=actor,
        now=now,
        body=due_body(issue.due_at, reason, days),
    )


async def lapse_extensions(session: AsyncSession, *, issue_id: int, now: dt.datetime) -> None:
    """A request for more time still waiting lapses: the case left the hands that asked."""
    await session.execute(
        update(IssueExtension)
        .where(col(IssueExtension.issue_id) == issue_id, col(IssueExtension.decision).is_(None))
        .values(decision=ExtensionDecision.LAPSED, decided_at=now)
    )
