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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.staff import staff_recipients
from services.audit import Actor, audit
from services.cases import limits
from services.errors import DomainError, NotFoundError
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.pipeline.progress import mark_handled
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import Adoption, ExtensionDecision, ProposalState, Stage
from storage.models import (
    ChatIdentity,
    DepartmentBinding,
    Handling,
    HandlingExtension,
    Outcome,
    Proposal,
    Suggestion,
)

ANSWER_MAX = 3000
# A proposal's items wait for departments in these states only.
ANSWERING_STATES = (ProposalState.ASSIGNED, ProposalState.REHANDLING)


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


def check_answer(text: str) -> str:
    """An answer: trimmed, control characters removed, not empty, not too long."""
    cleaned = limits.clean_text(text)
    if not cleaned:
        raise DomainError("text_empty")
    if len(cleaned) > ANSWER_MAX:
        raise DomainError("text_too_long", maximum=ANSWER_MAX, length=len(cleaned))
    return cleaned


def check_adoption(adoption: str) -> Adoption:
    """One of adopted, partly, explained."""
    try:
        return Adoption(adoption)
    except ValueError:
        raise DomainError("handling_adoption") from None


async def lock_proposal(session: AsyncSession, proposal_id: int) -> Proposal:
    """The proposal, fresh (and locked on PostgreSQL), inside a write transaction."""
    stmt = (
        select(Proposal)
        .where(col(Proposal.id) == proposal_id)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    proposal = (await session.execute(stmt)).scalar_one_or_none()
    if proposal is None:
        raise NotFoundError("proposal")
    return proposal


async def lock_suggestion(session: AsyncSession, suggestion_id: int) -> Suggestion:
    """The suggestion, fresh (and locked on PostgreSQL), inside a write transaction."""
    stmt = (
        select(Suggestion)
        .where(col(Suggestion.id) == suggestion_id)
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    suggestion = (await session.execute(stmt)).scalar_one_or_none()
    if suggestion is None:
        raise NotFoundError("suggestion")
    return suggestion


def require_answering(proposal: Proposal) -> None:
    """Refuse a proposal that no longer waits for departments' answers."""
    if proposal.state not in ANSWERING_STATES:
        raise DomainError("handling_closed", state=proposal.state)


def require_assigned(suggestion: Suggestion) -> None:
    """Refuse an outcome suggestion that is not at the ``assigned`` stage."""
    if suggestion.stage != Stage.ASSIGNED:
        raise DomainError("handling_closed", state=suggestion.stage)


async def department_chats(session: AsyncSession, department_id: int) -> list[ChatIdentity]:
    """The chats of a department's handlers."""
    rows = await session.execute(
        select(ChatIdentity)
        .join(DepartmentBinding, col(DepartmentBinding.identity_id) == col(ChatIdentity.id))
        .where(col(DepartmentBinding.department_id) == department_id)
        .order_by(col(ChatIdentity.id))
    )
    return list(rows.scalars())


async def tell_chats(
    session: AsyncSession,
    chats: Sequence[ChatIdentity],
    *,
    kind: str,
    key: str,
    notifier: Notifier,
    now: dt.datetime,
    **data: Any,
) -> int:
    """Queue a notice to each chat; ``key`` names the occasion, the chat id makes it unique."""
    queued = 0
    for identity in chats:
        queued += await add(
            session,
            to=Recipient.of(identity),
            message=notifier.render(kind, identity, **data),
            dedupe_key=f"{key}:chat:{identity.id}",
            now=now,
            kind=kind,
        )
    return queued


async def admin_chats(session: AsyncSession) -> list[ChatIdentity]:
    """Administrators' chats: they decide on the pipeline, station staff do not."""
    return [identity for _, _, identity in await staff_recipients(session)]


async def author_chats(session: AsyncSession, proposal: Proposal) -> list[ChatIdentity]:
    """The chats of the member who wrote the proposal (the sector's convenor for a sector)."""
    author = proposal.author_member_id or proposal.member_id
    if author is None:
        return []
    return (await member_chats(session, [author]))[author]


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
