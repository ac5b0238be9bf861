"""A department's handling of the items given to it: what is open, and answering item by item.

A department answers each item (a proposal's suggestion or an outcome's suggestion) it holds a
:class:`~storage.models.Handling` row for. A proposal's rows count only in its current round
and while it waits for answers (assigned, or rehandling after "not satisfied"); an outcome
suggestion's rows only while it is at the ``assigned`` stage. The last answer of a proposal's
round makes it ``answered`` and asks its author to rate the handling; the last answer of an
outcome suggestion moves it to ``handled`` with the lead department's adoption.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.outbox.notices import Notifier
from services.pipeline.audience import admin_chats, author_chats, tell_chats
from services.pipeline.guards import (
    ANSWERING_STATES,
    check_adoption,
    check_answer,
    lock_proposal,
    lock_suggestion,
    require_answering,
    require_assigned,
)
from services.pipeline.progress import mark_handled
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import ExtensionDecision, ProposalState, Stage
from storage.models import (
    Handling,
    HandlingExtension,
    Outcome,
    Proposal,
    Suggestion,
)


@dataclass(frozen=True)
class OpenItem:
    """One unanswered item of a department."""

    handling: Handling
    suggestion: Suggestion
    overdue: bool


@dataclass
class OpenGroup:
    """A department's open items of one proposal or one outcome suggestion.

    ``kind`` is ``p`` or ``s``; ``key`` is the proposal's or the suggestion's id.
    """

    kind: str
    key: int
    number: str
    title: str
    due_at: dt.datetime
    items: list[OpenItem] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        """Whether any of its items is past its due date."""
        return any(item.overdue for item in self.items)


def _open_clause() -> Any:
    """Rows still counted: a proposal's current round while it waits, an assigned suggestion."""
    return or_(
        and_(
            col(Proposal.state).in_([s.value for s in ANSWERING_STATES]),
            col(Handling.round) == col(Proposal.handling_round),
        ),
        and_(col(Suggestion.outcome_id).is_not(None), col(Suggestion.stage) == Stage.ASSIGNED),
    )


async def department_open_items(
    session: AsyncSession, *, department_id: int, now: dt.datetime | None = None
) -> list[OpenGroup]:
    """The department's unanswered items, grouped by proposal or suggestion, soonest due first.

    The rows are found through ``ix_handling_department_open`` (department, unanswered, due);
    ``now`` flags the overdue ones (without it none is).
    """
    rows = await session.execute(
        select(Handling, Suggestion, Proposal, Outcome)
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .outerjoin(Proposal, col(Proposal.id) == col(Suggestion.proposal_id))
        .outerjoin(Outcome, col(Outcome.id) == col(Suggestion.outcome_id))
        .where(
            col(Handling.department_id) == department_id,
            col(Handling.answered_at).is_(None),
            _open_clause(),
        )
        .order_by(col(Handling.due_at), col(Suggestion.position), col(Handling.id))
    )
    groups: dict[tuple[str, int], OpenGroup] = {}
    for handling, suggestion, proposal, outcome in rows.all():
        if proposal is not None:
            key = ("p", proposal.id or 0)
            number, title = proposal.number or "", proposal.title
        else:
            key = ("s", suggestion.id or 0)
            number = f"{outcome.number}/{suggestion.position}" if outcome else ""
            title = outcome.title if outcome else ""
        group = groups.get(key)
        if group is None:
            group = groups[key] = OpenGroup(key[0], key[1], number, title, handling.due_at)
        group.due_at = min(group.due_at, handling.due_at)
        overdue = now is not None and handling.due_at < now
        group.items.append(OpenItem(handling, suggestion, overdue))
    return sorted(groups.values(), key=lambda g: (g.due_at, g.kind, g.key))


async def lapse_requests(
    session: AsyncSession,
    *,
    department_id: int,
    now: dt.datetime,
    proposal_id: int | None = None,
    suggestion_id: int | None = None,
) -> None:
    """A request for more time still waiting lapses: the department has nothing left open."""
    target = (
        col(HandlingExtension.proposal_id) == proposal_id
        if proposal_id is not None
        else col(HandlingExtension.suggestion_id) == suggestion_id
    )
    await session.execute(
        update(HandlingExtension)
        .where(
            col(HandlingExtension.department_id) == department_id,
            target,
            col(HandlingExtension.decision).is_(None),
        )
        .values(decision=ExtensionDecision.LAPSED, decided_at=now)
    )


async def _open_count(session: AsyncSession, *conditions: Any) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Handling)
        .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
        .where(col(Handling.answered_at).is_(None), *conditions)
    )
    return int(count or 0)


async def answer_item(
    session: AsyncSession,
    *,
    handling_id: int,
    department_id: int,
    answer: str,
    adoption: str,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> Handling:
    """Record the department's answer to one item; another department's row is not found.

    The last answer of a proposal's round makes it answered and asks the author to rate it;
    the last answer of an outcome suggestion moves the suggestion to handled.
    """
    body = check_answer(answer)
    adopted = check_adoption(adoption)
    async with write_transaction(session):
        handling = await session.get(Handling, handling_id, populate_existing=True)
        if handling is None or handling.department_id != department_id:
            raise NotFoundError("handling")
        suggestion = await lock_suggestion(session, handling.suggestion_id)
        proposal = None
        if suggestion.proposal_id is not None:
            proposal = await lock_proposal(session, suggestion.proposal_id)
            require_answering(proposal)
            if handling.round != proposal.handling_round:
                raise DomainError("handling_closed", state=proposal.state)
        else:
            require_assigned(suggestion)
        if handling.answered_at is not None:
            raise DomainError("handling_answered")
        handling.answer = body
        handling.adoption = adopted
        handling.answered_at = now
        handling.answered_by = actor.name[:160]
        if handling.lead:
            suggestion.adoption = adopted
        add_line(
            session,
            kind="answer",
            actor=actor,
            now=now,
            proposal_id=suggestion.proposal_id,
            outcome_id=suggestion.outcome_id,
            suggestion_id=suggestion.id,
            body=adopted.value,
        )
        audit(
            session,
            actor=actor,
            action="handling.answer",
            object_kind="handling",
            object_id=handling.id,
            after={
                "suggestion_id": suggestion.id,
                "adoption": adopted.value,
                "round": handling.round,
            },
            now=now,
        )
        await session.flush()
        if proposal is not None:
            await _after_proposal_answer(session, proposal, handling, actor, now, notifier)
        else:
            await _after_suggestion_answer(session, suggestion, handling, actor, now, notifier)
    return handling


async def _after_proposal_answer(
    session: AsyncSession,
    proposal: Proposal,
    handling: Handling,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> None:
    in_round = (
        col(Suggestion.proposal_id) == proposal.id,
        col(Handling.round) == proposal.handling_round,
    )
    own = col(Handling.department_id) == handling.department_id
    if not await _open_count(session, *in_round, own):
        await lapse_requests(
            session, department_id=handling.department_id, proposal_id=proposal.id, now=now
        )
    if await _open_count(session, *in_round):
        return
    previous = proposal.state
    proposal.state = ProposalState.ANSWERED
    proposal.answered_at = now
    proposal.updated_at = now
    add_line(
        session,
        kind="state",
        actor=actor,
        now=now,
        proposal_id=proposal.id,
        from_stage=previous,
        to_stage=ProposalState.ANSWERED,
    )
    await tell_chats(
        session,
        await author_chats(session, proposal),
        kind="proposal-answered",
        key=f"proposal:{proposal.id}:answered:{proposal.handling_round}",
        notifier=notifier,
        now=now,
        proposal=proposal,
    )


async def _after_suggestion_answer(
    session: AsyncSession,
    suggestion: Suggestion,
    handling: Handling,
    actor: Actor,
    now: dt.datetime,
    notifier: Notifier,
) -> None:
    await lapse_requests(
        session, department_id=handling.department_id, suggestion_id=suggestion.id, now=now
    )
    if await _open_count(session, col(Handling.suggestion_id) == suggestion.id):
        return
    lead = (
        await session.execute(
            select(Handling)
            .where(col(Handling.suggestion_id) == suggestion.id)
            .order_by(col(Handling.lead).desc(), col(Handling.round).desc(), col(Handling.id))
            .limit(1)
        )
    ).scalar_one()
    adoption = lead.adoption or handling.adoption or ""
    mark_handled(session, suggestion, adoption=adoption, actor=actor, now=now)
    outcome = await session.get(Outcome, suggestion.outcome_id)
    await tell_chats(
        session,
        await admin_chats(session),
        kind="suggestion-handled",
        key=f"suggestion:{suggestion.id}:handled",
        notifier=notifier,
        now=now,
        suggestion=suggestion,
        outcome=outcome,
    )
