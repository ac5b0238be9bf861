"""The checks every answer and request of a department passes before it writes.

The proposal or suggestion is locked for the write (``FOR UPDATE`` on PostgreSQL; SQLite's
write transaction already holds the lock), then refused unless it still waits for answers.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.cases import limits
from services.errors import DomainError, NotFoundError
from storage.enums import Adoption, ProposalState, Stage
from storage.models import (
    Proposal,
    Suggestion,
)

ANSWER_MAX = 3000
# A proposal's items wait for departments in these states only.
ANSWERING_STATES = (ProposalState.ASSIGNED, ProposalState.REHANDLING)


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
