"""Every status change of a case, in one table, and the one way each is applied.

A :class:`Transition` names the statuses a case may be in, the status it moves to, the
timeline line it writes, the audit action it records (staff actions only) and who is told.
:func:`apply_transition` does what they share, inside one write transaction: load the case
for whoever acts (staff within their scope, its assignee, its resident), refuse a status
outside ``from_statuses``, let the action do its own work, write the timeline, audit, and
queue the notices. The public actions (:mod:`~services.cases.casework`,
:mod:`~services.cases.answers`, :mod:`~services.cases.assignee`,
:mod:`~services.cases.decisions`) are thin calls with only their own extra work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.audit import Actor
from services.cases.audience import tell_assignee, tell_residents, tell_staff
from services.cases.common import Assignee, add_event, assigned_case, lock_issue
from services.cases.due import DueReason, lapse_extensions, record_due
from services.cases.staff_actions import audit_change, snapshot, staff_case
from services.errors import DomainError
from services.outbox.notices import Notifier
from storage.db import write_transaction
from storage.enums import OPEN_STATUSES, IssueEventKind, IssueStatus
from storage.models import Issue, IssueEvent

S = IssueStatus
CLOSED = frozenset({S.RESOLVED, S.REJECTED, S.DUPLICATE})
NOT_CLOSED = frozenset(S) - CLOSED
ANSWERABLE = frozenset({S.NEW, S.ACCEPTED, S.ASSIGNED, S.REOPENED, S.ANSWERED})
# What waits for an assignee, and what an assignee may still answer.
WORKING = frozenset({S.ASSIGNED, S.REOPENED})
ANSWERING = frozenset({S.ASSIGNED, S.REOPENED, S.ANSWERED})
RATABLE = frozenset({S.ANSWERED, S.RESOLVED})

Audience = Literal["residents", "staff", "assignee"]
# Where the status change is written: on the action's own line, or as a public "status"
# line of its own just before or after it (only when the status really changes).
StatusLine = Literal["event", "before", "after"]


@dataclass(frozen=True)
class Tell:
    """A notice a transition queues: to whom, of which kind, and the occasion in its key."""

    audience: Audience
    kind: str
    key: str
    # The notice quotes the timeline line itself (a reply).
    with_event: bool = False


@dataclass(frozen=True)
class Transition:
    """One way a case changes status."""

    name: str
    from_statuses: frozenset[str]
    to_status: str
    event_kind: str
    audit_action: str | None = None
    tells: tuple[Tell, ...] = ()
    public: bool = True
    status_line: StatusLine = "event"
    refusal: str = "wrong_status"
    # Why the due date moved, when the action moves it (a line of its own on the timeline).
    due_reason: DueReason | None = None


E = IssueEventKind
# fmt: off
# Staff, within their scope.
ACCEPT = Transition(
    "accept", frozenset({S.NEW, S.REOPENED}), S.ACCEPTED, E.STATUS, "issue.accept",
    tells=(Tell("residents", "case-status", "status"),),
)
ASSIGN = Transition(
    "assign", OPEN_STATUSES, S.ASSIGNED, E.ASSIGNED, "issue.assign",
    tells=(
        Tell("assignee", "case-assigned", "assigned"),
        Tell("residents", "case-status", "status"),
    ),
    public=False, status_line="before", due_reason=DueReason.ASSIGNED,
)
ANSWER = Transition(
    "answer", ANSWERABLE, S.ANSWERED, E.REPLY, "issue.reply",
    tells=(Tell("residents", "case-reply", "reply", with_event=True),),
)
REJECT = Transition(
    "reject", OPEN_STATUSES, S.REJECTED, E.STATUS, "issue.reject",
    tells=(Tell("residents", "case-rejected", "rejected"),),
)
DUPLICATE = Transition(
    "duplicate", OPEN_STATUSES, S.DUPLICATE, E.DUPLICATE, "issue.duplicate",
    tells=(Tell("residents", "case-duplicate", "duplicate"),),
)
RESOLVE = Transition(
    "resolve", NOT_CLOSED, S.RESOLVED, E.STATUS, "issue.resolve",
    tells=(Tell("residents", "case-resolved", "resolved"),),
)
# The assignee, on cases given to them.
ASSIGNEE_ANSWER = Transition(
    "assignee_answer", ANSWERING, S.ANSWERED, E.REPLY,
    tells=(Tell("residents", "case-reply", "reply", with_event=True),),
)
HAND_BACK = Transition(
    "hand_back", WORKING, S.ACCEPTED, E.HANDED_BACK,
    tells=(Tell("staff", "case-handed-back", "handback"),),
    public=False,
)
# The resident, rating the answer: content closes the case, unhappy reopens it.
RATE = Transition(
    "rate", RATABLE, S.RESOLVED, E.RATED, status_line="after", refusal="not_ratable",
)
REOPEN = Transition(
    "reopen", RATABLE, S.REOPENED, E.RATED, status_line="after", refusal="not_ratable",
    due_reason=DueReason.REOPENED,
    tells=(
        Tell("staff", "case-reopened", "reopened"),
        Tell("assignee", "case-reopened-assignee", "reopened"),
    ),
)
# fmt: on

TRANSITIONS = (
    ACCEPT,
    ASSIGN,
    ANSWER,
    REJECT,
    DUPLICATE,
    RESOLVE,
    ASSIGNEE_ANSWER,
    HAND_BACK,
    RATE,
    REOPEN,
)


@dataclass(frozen=True)
class Change:
    """An action's own part of a transition: its line's text, what its notices and audit add."""

    body: str | None = None
    notice: Mapping[str, Any] = field(default_factory=dict)
    audit: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Applied:
    """A transition done: the case as it is now, its timeline line, the action's change."""

    issue: Issue
    event: IssueEvent
    change: Change


Work = Callable[[Issue], Awaitable[Change]]
_TELL: dict[Audience, Callable[..., Awaitable[int]]] = {
    "residents": tell_residents,
    "staff": tell_staff,
    "assignee": tell_assignee,
}


async def _load(
    session: AsyncSession,
    issue_id: int,
    *,
    scope: StaffScope | None,
    assignee: Assignee | None,
    resident_id: int | None,
) -> Issue:
    """The case, locked, if whoever acts may reach it; unknown otherwise."""
    if scope is not None:
        return await staff_case(session, issue_id, scope)
    if assignee is not None:
        return await assigned_case(session, assignee, issue_id)
    if resident_id is not None:
        issue = await lock_issue(session, issue_id)
        if issue.resident_id == resident_id:
            return issue
    raise DomainError("issue_unknown")


async def _no_work(_issue: Issue) -> Change:
    return Change()


async def apply_transition(
    session: AsyncSession,
    transition: Transition,
    *,
    issue_id: int,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
    scope: StaffScope | None = None,
    assignee: Assignee | None = None,
    resident_id: int | None = None,
    work: Work = _no_work,
) -> Applied:
    """Move the case through ``transition`` in one write transaction.

    The case is loaded for whoever acts (``scope`` for staff, ``assignee``, or
    ``resident_id``), refused with ``transition.refusal`` outside ``from_statuses``, then
    ``work`` does the action's own checks and changes before the timeline line is written,
    the audit entry recorded and the notices queued.
    """
    async with write_transaction(session):
        issue = await _load(
            session, issue_id, scope=scope, assignee=assignee, resident_id=resident_id
        )
        if issue.status not in transition.from_statuses:
            raise DomainError(transition.refusal, status=issue.status)
        before = snapshot(issue)
        was_working, due_before = issue.status in WORKING, issue.due_at
        status_changes = issue.status != transition.to_status
        change = await work(issue)
        if transition.status_line == "before" and status_changes:
            _status_line(session, issue, transition, actor, now)
        event = add_event(
            session,
            issue,
            kind=transition.event_kind,
            actor=actor,
            now=now,
            public=transition.public,
            body=change.body,
            to_status=transition.to_status if transition.status_line == "event" else None,
        )
        if transition.status_line == "after" and status_changes:
            _status_line(session, issue, transition, actor, now)
        if transition.due_reason is not None and issue.due_at != due_before:
            record_due(session, issue, reason=transition.due_reason, actor=actor, now=now)
        if was_working and (transition is ASSIGN or issue.status not in WORKING):
            await lapse_extensions(session, issue_id=issue_id, now=now)
        await session.flush()
        if transition.audit_action is not None:
            audit_change(
                session,
                issue,
                before,
                actor=actor,
                action=transition.audit_action,
                now=now,
                **change.audit,
            )
        for tell in transition.tells:
            data = {**change.notice, **({"event": event} if tell.with_event else {})}
            await _TELL[tell.audience](
                session,
                issue,
                kind=tell.kind,
                key=f"{tell.key}:{event.id}",
                notifier=notifier,
                now=now,
                **data,
            )
    return Applied(issue, event, change)


def _status_line(
    session: AsyncSession, issue: Issue, transition: Transition, actor: Actor, now: dt.datetime
) -> None:
    add_event(
        session,
        issue,
        kind=IssueEventKind.STATUS,
        actor=actor,
        now=now,
        to_status=transition.to_status,
    )
