"""What a department sees: only proposals and outcome suggestions it holds a handling row for.

A card holds the items with every department's answers (the department's own and the others'),
the due date and, for a proposal, the member's situation. An id the department holds no row
for reads as not found, whether it exists or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.errors import NotFoundError
from services.pipeline.extensions import pending_request
from services.pipeline.face import face_meetings
from services.pipeline.guards import ANSWERING_STATES
from services.pipeline.versions import proposal_version
from storage.enums import Stage
from storage.models import (
    Department,
    FaceMeeting,
    Handling,
    HandlingExtension,
    Outcome,
    Proposal,
    Suggestion,
)


@dataclass(frozen=True)
class ItemView:
    """One item with the answers of the round shown, the department's own first."""

    suggestion: Suggestion
    own: Handling | None
    others: list[tuple[Handling, str]] = field(default_factory=list)


@dataclass
class HandlingCard:
    """A proposal or an outcome suggestion as a department sees it.

    ``kind`` is ``p`` (``key`` the proposal) or ``s`` (``key`` the suggestion).
    """

    kind: str
    key: int
    number: str
    title: str
    situation: str
    state: str
    due_at: dt.datetime | None
    items: list[ItemView]
    answering: bool
    extension: HandlingExtension | None = None
    meetings: list[FaceMeeting] = field(default_factory=list)

    @property
    def token(self) -> str:
        """The state a button on this card is drawn for."""
        return self.state

    @property
    def open_items(self) -> list[ItemView]:
        """Items still waiting for this department's answer, while answers are taken."""
        if not self.answering:
            return []
        return [i for i in self.items if i.own is not None and i.own.answered_at is None]


def proposal_token(proposal: Proposal) -> str:
    """A proposal's state and round, as a button's ``v``."""
    return proposal_version(proposal)


async def _rows(
    session: AsyncSession, suggestion_ids: list[int], round_: int | None
) -> list[tuple[Handling, str]]:
    stmt = (
        select(Handling, col(Department.name_zh))
        .join(Department, col(Department.id) == col(Handling.department_id))
        .where(col(Handling.suggestion_id).in_(suggestion_ids))
        .order_by(col(Handling.lead).desc(), col(Handling.id))
    )
    if round_ is not None:
        stmt = stmt.where(col(Handling.round) == round_)
    return [(h, name) for h, name in (await session.execute(stmt)).all()]


def _items(
    suggestions: list[Suggestion], rows: list[tuple[Handling, str]], department_id: int
) -> list[ItemView]:
    views = []
    for suggestion in suggestions:
        mine = [h for h, _ in rows if h.suggestion_id == suggestion.id]
        own = next((h for h in mine if h.department_id == department_id), None)
        others = [
            (h, name)
            for h, name in rows
            if h.suggestion_id == suggestion.id and h.department_id != department_id
        ]
        views.append(ItemView(suggestion, own, others))
    return views


async def department_proposal(
    session: AsyncSession, *, department_id: int, proposal_id: int
) -> HandlingCard:
    """The proposal's card, if the department holds a row of it (any round)."""
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None:
        raise NotFoundError("proposal")
    suggestions = list(
        (
            await session.execute(
                select(Suggestion)
                .where(col(Suggestion.proposal_id) == proposal_id)
                .order_by(col(Suggestion.position))
            )
        ).scalars()
    )
    ids = [s.id or 0 for s in suggestions]
    every_round = await _rows(session, ids, None)
    if not any(h.department_id == department_id for h, _ in every_round):
        raise NotFoundError("proposal")
    shown = [(h, n) for h, n in every_round if h.round == proposal.handling_round]
    return HandlingCard(
        kind="p",
        key=proposal_id,
        number=proposal.number or "",
        title=proposal.title,
        situation=proposal.situation,
        state=proposal_token(proposal),
        due_at=proposal.due_at,
        items=_items(suggestions, shown, department_id),
        answering=proposal.state in ANSWERING_STATES,
        extension=await pending_request(
            session, department_id=department_id, proposal_id=proposal_id
        ),
        meetings=await face_meetings(session, proposal_id=proposal_id, department_id=department_id),
    )


async def department_suggestion(
    session: AsyncSession, *, department_id: int, suggestion_id: int
) -> HandlingCard:
    """An outcome suggestion's card, if the department holds a row of it."""
    suggestion = await session.get(Suggestion, suggestion_id, populate_existing=True)
    if suggestion is None or suggestion.outcome_id is None:
        raise NotFoundError("suggestion")
    rows = await _rows(session, [suggestion_id], None)
    if not any(h.department_id == department_id for h, _ in rows):
        raise NotFoundError("suggestion")
    outcome = await session.get(Outcome, suggestion.outcome_id)
    assert outcome is not None
    return HandlingCard(
        kind="s",
        key=suggestion_id,
        number=f"{outcome.number}/{suggestion.position}",
        title=outcome.title,
        situation="",
        state=suggestion.stage,
        due_at=suggestion.due_at,
        items=_items([suggestion], rows, department_id),
        answering=suggestion.stage == Stage.ASSIGNED,
        extension=await pending_request(
            session, department_id=department_id, suggestion_id=suggestion_id
        ),
    )


async def department_card(
    session: AsyncSession, *, department_id: int, kind: str, key: int
) -> HandlingCard:
    """A proposal's or an outcome suggestion's card; any other kind is not found."""
    if kind == "p":
        return await department_proposal(session, department_id=department_id, proposal_id=key)
    if kind == "s":
        return await department_suggestion(session, department_id=department_id, suggestion_id=key)
    raise NotFoundError("handling")
