"""Departments ask for more time on a proposal or an outcome suggestion; administrators decide.

Mirrors :mod:`services.cases.due`: a request covers the department's open rows of a proposal
(all its items in the current round) or of one outcome suggestion; one request waits at a
time per department and object. A granted request moves the due date of those rows, and the
proposal's or suggestion's own due date to the latest of them. A request still waiting when
the department has answered everything lapses; a decided or lapsed request refuses a second
decision.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.pipeline.audience import admin_chats, chats_of_department, tell_chats
from services.pipeline.guards import (
    check_answer,
    lock_proposal,
    lock_suggestion,
    require_answering,
    require_assigned,
)
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import ExtensionDecision
from storage.models import Handling, HandlingExtension, Outcome, Proposal, Suggestion

REASON_MAX = 1000


async def _open_rows(
    session: AsyncSession,
    *,
    department_id: int,
    proposal: Proposal | None,
    suggestion: Suggestion | None,
) -> list[Handling]:
    stmt = select(Handling).where(
        col(Handling.department_id) == department_id, col(Handling.answered_at).is_(None)
    )
    if proposal is not None:
        stmt = stmt.join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id)).where(
            col(Suggestion.proposal_id) == proposal.id,
            col(Handling.round) == proposal.handling_round,
        )
    else:
        assert suggestion is not None
        stmt = stmt.where(col(Handling.suggestion_id) == suggestion.id)
    return list((await session.execute(stmt.order_by(col(Handling.id)))).scalars())


async def pending_request(
    session: AsyncSession,
    *,
    department_id: int,
    proposal_id: int | None = None,
    suggestion_id: int | None = None,
) -> HandlingExtension | None:
    """The department's request on this object that nobody decided yet, if any."""
    target = (
        col(HandlingExtension.proposal_id) == proposal_id
        if proposal_id is not None
        else col(HandlingExtension.suggestion_id) == suggestion_id
    )
    return (
        await session.execute(
            select(HandlingExtension).where(
                col(HandlingExtension.department_id) == department_id,
                target,
                col(HandlingExtension.decision).is_(None),
            )
        )
    ).scalar_one_or_none()


async def _target(
    session: AsyncSession, kind: str, object_id: int
) -> tuple[Proposal | None, Suggestion | None, int]:
    """The proposal or outcome suggestion, locked, with the year whose rules apply."""
    if kind == "p":
        proposal = await lock_proposal(session, object_id)
        require_answering(proposal)
        return proposal, None, proposal.year
    if kind == "s":
        suggestion = await lock_suggestion(session, object_id)
        if suggestion.outcome_id is None:
            raise NotFoundError("suggestion")
        require_assigned(suggestion)
        outcome = await session.get(Outcome, suggestion.outcome_id)
        assert outcome is not None
        return None, suggestion, outcome.year
    raise NotFoundError("handling")


async def request_extension(
    session: AsyncSession,
    *,
    department_id: int,
    kind: str,
    object_id: int,
    days: int,
    reason: str,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
    rulebook: RuleBook,
) -> HandlingExtension:
    """Ask administrators for ``days`` more on a proposal (``p``) or a suggestion (``s``)."""
    body = check_answer(reason)
    if len(body) > REASON_MAX:
        raise DomainError("text_too_long", maximum=REASON_MAX, length=len(body))
    async with write_transaction(session):
        proposal, suggestion, year = await _target(session, kind, object_id)
        high = rulebook.for_year(year).pipeline.extension_max_days
        if not 1 <= days <= high:
            raise DomainError("days_range", minimum=1, maximum=high)
        rows = await _open_rows(
            session, department_id=department_id, proposal=proposal, suggestion=suggestion
        )
        if not rows:
            # Not this department's, or nothing left to answer: both read as not found.
            raise NotFoundError("handling")
        proposal_id = proposal.id if proposal else None
        suggestion_id = suggestion.id if suggestion else None
        pending = await pending_request(
            session,
            department_id=department_id,
            proposal_id=proposal_id,
            suggestion_id=suggestion_id,
        )
        if pending is not None:
            raise DomainError("extension_pending")
        extension = HandlingExtension(
            department_id=department_id,
            proposal_id=proposal_id,
            suggestion_id=suggestion_id,
            days=days,
            reason=body,
            created_at=now,
        )
        session.add(extension)
        add_line(
            session,
            kind="extension",
            actor=actor,
            now=now,
            proposal_id=proposal_id,
            outcome_id=suggestion.outcome_id if suggestion else None,
            suggestion_id=suggestion_id,
            body=f"+{days}: {body}",
        )
        await session.flush()
        audit(
            session,
            actor=actor,
            action="handling.extension_request",
            object_kind="handling_extension",
            object_id=extension.id,
            after={"days": days, "proposal_id": proposal_id, "suggestion_id": suggestion_id},
            now=now,
        )
        await tell_chats(
            session,
            await admin_chats(session),
            kind="handling-extension-request",
            key=f"handling-extension:{extension.id}",
            notifier=notifier,
            now=now,
            extension=extension,
            proposal=proposal,
            suggestion=suggestion,
            department_name=actor.name,
        )
    return extension


async def _still_waiting(session: AsyncSession, *, extension_id: int, scope: StaffScope) -> None:
    """Refuse, before any write, what cannot be decided: unknown, lapsed, decided."""
    extension = await session.get(HandlingExtension, extension_id)
    if extension is None or not scope.admin:
        # Station staff have no part in the pipeline: to them it does not exist.
        raise DomainError("extension_unknown")
    if extension.decision == ExtensionDecision.LAPSED:
        raise DomainError("extension_lapsed", extension_id=extension_id)
    if extension.decision is not None:
        raise DomainError("already_decided", decision=extension.decision, extension_id=extension_id)


async def decide_extension(
    session: AsyncSession,
    *,
    extension_id: int,
    grant: bool,
    scope: StaffScope,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> HandlingExtension:
    """An administrator grants (the due dates move) or refuses a request; the department is told."""
    await _still_waiting(session, extension_id=extension_id, scope=scope)
    async with write_transaction(session):
        extension = await session.get(HandlingExtension, extension_id, populate_existing=True)
        if extension is None:
            raise DomainError("extension_unknown")
        proposal = suggestion = None
        if extension.proposal_id is not None:
            proposal = await lock_proposal(session, extension.proposal_id)
        elif extension.suggestion_id is not None:
            suggestion = await lock_suggestion(session, extension.suggestion_id)
        if extension.decision is not None:
            raise DomainError("already_decided", decision=extension.decision)
        extension.decision = ExtensionDecision.GRANTED if grant else ExtensionDecision.REFUSED
        extension.decided_at = now
        extension.decided_by_staff_id = scope.staff_id
        owner = proposal or suggestion
        assert owner is not None
        before = {"due_at": owner.due_at.isoformat() if owner.due_at else None}
        if grant:
            rows = await _open_rows(
                session,
                department_id=extension.department_id,
                proposal=proposal,
                suggestion=suggestion,
            )
            for row in rows:
                row.due_at = max(row.due_at, now) + dt.timedelta(days=extension.days)
            latest = max((row.due_at for row in rows), default=None)
            if latest is not None and (owner.due_at is None or owner.due_at < latest):
                owner.due_at = latest
        add_line(
            session,
            kind="due" if grant else "extension",
            actor=actor,
            now=now,
            proposal_id=extension.proposal_id,
            outcome_id=suggestion.outcome_id if suggestion else None,
            suggestion_id=extension.suggestion_id,
            body=(owner.due_at.isoformat() if grant and owner.due_at else extension.decision),
        )
        audit(
            session,
            actor=actor,
            action="handling.extension",
            object_kind="handling_extension",
            object_id=extension.id,
            before=before,
            after={
                "due_at": owner.due_at.isoformat() if owner.due_at else None,
                "decision": extension.decision,
                "days": extension.days,
                "department_id": extension.department_id,
            },
            now=now,
        )
        await session.flush()
        await tell_chats(
            session,
            await chats_of_department(session, extension.department_id),
            kind="handling-extension-decision",
            key=f"handling-extension-decision:{extension.id}",
            notifier=notifier,
            now=now,
            extension=extension,
            proposal=proposal,
            suggestion=suggestion,
        )
    return extension
