"""Passing a registered proposal to departments: a lead, co-departments and a due date.

Every suggestion gets a handling row per department (round 1); the proposal moves to
``assigned`` and carries the due date. Until a department answered, the office may assign
again, and the new rows replace the old ones. Each department's handler chats are told
through the outbox, with a button that opens the department's view of the proposal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.errors import DomainError
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.pipeline.assign import check_departments, create_handlings
from services.pipeline.audience import department_chats
from services.pipeline.timeline import add_line
from services.proposals.review import check_expected, load_for_staff
from storage.db import write_transaction
from storage.enums import ProposalState
from storage.models import Department, Handling, Suggestion

ASSIGNABLE = frozenset({ProposalState.REGISTERED, ProposalState.ASSIGNED})


def default_due(*, now: dt.datetime, rulebook: RuleBook, year: int) -> dt.datetime:
    """The year's rule: ``proposal_due_days`` from now."""
    return now + dt.timedelta(days=rulebook.for_year(year).pipeline.proposal_due_days)


def end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The last moment of ``day`` in the committee's zone, as a due time."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz) - dt.timedelta(
        seconds=1
    )


async def active_departments(session: AsyncSession) -> list[Department]:
    """Departments a proposal may go to, in the office's order."""
    rows = await session.execute(
        select(Department)
        .where(col(Department.active).is_(True))
        .order_by(col(Department.sort_order), col(Department.code))
    )
    return list(rows.scalars())


async def _check_active(session: AsyncSession, department_ids: Sequence[int]) -> None:
    found = await session.scalar(
        select(func.count()).where(
            col(Department.id).in_(list(department_ids)), col(Department.active).is_(True)
        )
    )
    if found != len(department_ids):
        raise DomainError("department_unknown")


async def assign_proposal(
    session: AsyncSession,
    *,
    proposal_id: int,
    lead_department_id: int | None,
    co_department_ids: Sequence[int] = (),
    due_at: dt.datetime | None = None,
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
    rulebook: RuleBook,
    notifier: Notifier,
    expected_state: str | None = None,
) -> list[Handling]:
    """Assign every suggestion to the lead and the co-departments, due at ``due_at``.

    ``due_at`` None takes the year's default; a due time not in the future is refused. A
    proposal assigned before may be assigned again until a department answered.
    """
    departments = check_departments(lead_department_id, co_department_ids)
    async with write_transaction(session):
        proposal = await load_for_staff(session, proposal_id=proposal_id, actor=actor, scope=scope)
        check_expected(proposal, expected_state)
        if proposal.state not in ASSIGNABLE:
            raise DomainError("proposal_not_assignable", state=proposal.state)
        due = due_at or default_due(now=now, rulebook=rulebook, year=proposal.year)
        if due <= now:
            raise DomainError("proposal_due_past")
        await _check_active(session, departments)
        suggestion_ids: list[int] = [
            suggestion_id or 0
            for suggestion_id in (
                await session.execute(
                    select(col(Suggestion.id))
                    .where(col(Suggestion.proposal_id) == proposal_id)
                    .order_by(col(Suggestion.position))
                )
            ).scalars()
        ]
        if not suggestion_ids:
            raise DomainError("proposal_no_suggestions")
        previous = list(
            (
                await session.execute(
                    select(Handling).where(col(Handling.suggestion_id).in_(suggestion_ids))
                )
            ).scalars()
        )
        if any(row.answered_at is not None for row in previous):
            raise DomainError("proposal_answered_already")
        if previous:
            await session.execute(
                delete(Handling).where(col(Handling.suggestion_id).in_(suggestion_ids))
            )
        await create_handlings(
            session,
            suggestion_ids=suggestion_ids,
            department_ids=departments,
            due_at=due,
            round=1,
            now=now,
        )
        await session.execute(
            update(Suggestion).where(col(Suggestion.id).in_(suggestion_ids)).values(due_at=due)
        )
        before_state = proposal.state
        proposal.state = ProposalState.ASSIGNED
        proposal.due_at = due
        proposal.handling_round = 1
        proposal.updated_at = now
        add_line(
            session,
            kind="assign",
            actor=actor,
            now=now,
            proposal_id=proposal_id,
            from_stage=before_state,
            to_stage=ProposalState.ASSIGNED,
            body=",".join(str(d) for d in departments),
        )
        audit(
            session,
            actor=actor,
            action="proposal.reassign" if previous else "proposal.assign",
            object_kind="proposal",
            object_id=proposal_id,
            before={
                "state": before_state,
                "departments": sorted({row.department_id for row in previous}),
            },
            after={
                "state": ProposalState.ASSIGNED,
                "lead": departments[0],
                "co": list(departments[1:]),
                "due_at": due.isoformat(),
            },
            now=now,
        )
        # Each assignment is its own occasion: a reassignment tells the new departments again.
        occasion = int(now.timestamp())
        chats = await department_chats(session, departments)
        for department_id, identity in (
            (d, identity) for d in departments for identity in chats.get(d, [])
        ):
            await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render(
                    "proposal-assigned",
                    identity,
                    proposal=proposal,
                    lead=department_id == departments[0],
                    count=len(suggestion_ids),
                ),
                dedupe_key=f"proposal:{proposal_id}:assigned:{occasion}:{department_id}:{identity.id}",
                now=now,
                kind="proposal-assigned",
            )
        rows = await session.execute(
            select(Handling)
            .where(col(Handling.suggestion_id).in_(suggestion_ids))
            .order_by(col(Handling.suggestion_id), col(Handling.id))
        )
        return list(rows.scalars())
