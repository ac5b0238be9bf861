"""Decisions on a case that come after its answer or from its assignee's requests.

Staff grant or refuse more time; the resident rates the answer, and an unhappy rating
(not solved, or 1 or 2 stars) reopens the case to staff (the ``RATE`` and ``REOPEN`` rows
of :mod:`services.cases.transitions`).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.cases.audience import tell_assignee, tell_residents, tell_staff
from services.cases.casework import default_due
from services.cases.common import add_event, check_text, lock_issue
from services.cases.due import DueReason, record_due
from services.cases.transitions import CLOSED, RATE, REOPEN, Change, apply_transition
from services.cases.transitions import RATABLE as RATABLE
from services.errors import DomainError
from services.outbox.notices import Notifier
from storage.db import write_transaction
from storage.enums import ExtensionDecision, IssueEventKind, IssueStatus
from storage.models import Issue, IssueExtension

RATING_RANGE = (1, 5)
UNHAPPY_AT_MOST = 2


async def decide_extension(
    session: AsyncSession,
    *,
    extension_id: int,
    grant: bool,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> IssueExtension:
    """Grant (the due date moves) or refuse a request for more time; the assignee is told.

    A request decided already, or lapsed, is refused before the write begins, so the caller
    can go on to show the case as it stands now.
    """
    await _still_waiting(session, extension_id=extension_id, scope=scope)
    async with write_transaction(session):
        extension = await session.get(IssueExtension, extension_id)
        if extension is None:
            raise DomainError("extension_unknown")
        issue = await lock_issue(session, extension.issue_id)
        if not scope.covers(issue.station_id):
            raise DomainError("extension_unknown")
        if extension.decision is not None:
            raise DomainError("already_decided", decision=extension.decision)
        extension.decision = ExtensionDecision.GRANTED if grant else ExtensionDecision.REFUSED
        extension.decided_at = now
        extension.decided_by_staff_id = scope.staff_id
        before = {"due_at": issue.due_at.isoformat() if issue.due_at else None}
        if grant:
            start = max(issue.due_at or now, now)
            issue.due_at = start + dt.timedelta(days=extension.days)
            event = record_due(
                session,
                issue,
                reason=DueReason.EXTENDED,
                actor=actor,
                now=now,
                days=extension.days,
            )
        else:
            event = add_event(
                session,
                issue,
                kind=IssueEventKind.EXTENSION,
                actor=actor,
                now=now,
                public=False,
                body=ExtensionDecision.REFUSED,
            )
        await session.flush()
        audit(
            session,
            actor=actor,
            action="issue.extension",
            object_kind="issue",
            object_id=issue.number,
            before=before,
            after={
                "due_at": issue.due_at.isoformat() if issue.due_at else None,
                "decision": extension.decision,
                "days": extension.days,
            },
            now=now,
        )
        await tell_assignee(
            session,
            issue,
            kind="case-extension-decision",
            key=f"extension-decision:{extension.id}",
            notifier=notifier,
            now=now,
            extension=extension,
        )
        if grant:
            await tell_residents(
                session,
                issue,
                kind="case-due-changed",
                key=f"due:{event.id}",
                notifier=notifier,
                now=now,
            )
    return extension


async def _still_waiting(session: AsyncSession, *, extension_id: int, scope: StaffScope) -> None:
    extension = await session.get(IssueExtension, extension_id)
    if extension is None:
        raise DomainError("extension_unknown")
    issue = await session.get(Issue, extension.issue_id)
    if issue is None or not scope.covers(issue.station_id):
        raise DomainError("extension_unknown")
    if extension.decision == ExtensionDecision.LAPSED:
        raise DomainError("extension_lapsed", issue_id=issue.id)
    if extension.decision is not None:
        raise DomainError("already_decided", decision=extension.decision, issue_id=issue.id)


def rating_body(rating: int, solved: bool) -> str:
    """How a rating is kept on the timeline."""
    return json.dumps({"rating": rating, "solved": solved})


def read_rating(body: str | None) -> tuple[int, bool] | None:
    """A rating timeline line's stars and answer, or None if it is not one."""
    try:
        data = json.loads(body or "")
        return int(data["rating"]), bool(data["solved"])
    except (ValueError, KeyError, TypeError):
        return None


async def rate_case(
    session: AsyncSession,
    *,
    resident_id: int,
    issue_id: int,
    rating: int,
    solved: bool,
    now: dt.datetime,
    notifier: Notifier,
) -> Issue:
    """The resident's verdict on the answer: resolved, or reopened to staff when unhappy."""
    low, high = RATING_RANGE
    if not low <= rating <= high:
        raise DomainError("rating_range", minimum=low, maximum=high)
    unhappy = not solved or rating <= UNHAPPY_AT_MOST

    async def rate(issue: Issue) -> Change:
        if issue.last_reply_at is None:
            raise DomainError("not_ratable")
        if issue.rated_at is not None:
            raise DomainError("already_rated")
        issue.rating, issue.solved, issue.rated_at = rating, solved, now
        if unhappy:
            issue.resolved_at = None
            issue.due_at = await default_due(session, issue, now)
        elif issue.status != IssueStatus.RESOLVED:
            issue.resolved_at = now
        return Change(body=rating_body(rating, solved), notice={"rating": rating, "solved": solved})

    applied = await apply_transition(
        session,
        REOPEN if unhappy else RATE,
        issue_id=issue_id,
        resident_id=resident_id,
        actor=Actor("resident", resident_id),
        now=now,
        notifier=notifier,
        work=rate,
    )
    return applied.issue


# A sentence, not a second report: the case's own description holds the details.
REOPEN_REASON_MAX = 500


async def explain_not_solved(
    session: AsyncSession,
    *,
    resident_id: int,
    issue_id: int,
    text: str,
    now: dt.datetime,
    notifier: Notifier,
) -> Issue:
    """The resident's own words on why the answer did not solve the case they reopened.

    The sentence goes on the case's timeline and to the staff of its station and whoever
    handles it. Only the resident of a case still open after their unhappy rating may add it.
    """
    reason = check_text(text, maximum=REOPEN_REASON_MAX)
    async with write_transaction(session):
        issue = await lock_issue(session, issue_id)
        if issue.resident_id != resident_id:
            raise DomainError("issue_unknown")
        unhappy = issue.rated_at is not None and (
            not issue.solved or (issue.rating or 0) <= UNHAPPY_AT_MOST
        )
        if not unhappy or issue.status in CLOSED:
            raise DomainError("wrong_status", status=issue.status)
        event = add_event(
            session,
            issue,
            kind=IssueEventKind.NOTE,
            actor=Actor("resident", resident_id),
            now=now,
            public=True,
            body=reason,
        )
        await session.flush()
        key = f"reopen-reason:{event.id}"
        await tell_staff(
            session,
            issue,
            kind="case-reopen-reason",
            key=key,
            notifier=notifier,
            now=now,
            reason=reason,
        )
        await tell_assignee(
            session,
            issue,
            kind="case-reopen-reason-assignee",
            key=key,
            notifier=notifier,
            now=now,
            reason=reason,
        )
    return issue
