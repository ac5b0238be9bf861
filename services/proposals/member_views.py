"""What a member sees of proposals: the ones they lead or wrote, and the ones they co-sign.

A member reads their own proposals (as the lead member, or as the convenor who wrote one in
a sector's name), drafts included, and the ones they were invited to co-sign once sent (an
invitation pending or confirmed). Anything else, an unknown id included, is not found. The
departments' answers are shown item by item once the proposal was answered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.pipeline.versions import proposal_version
from storage.enums import CosignerState, ProposalState
from storage.models import (
    Department,
    Handling,
    Member,
    Proposal,
    ProposalCosigner,
    ProposalFile,
    Sector,
    Suggestion,
)

PAGE_SIZE = 8
# The states in which the departments' answers are the member's to read and rate.
ANSWERS_SHOWN = frozenset({ProposalState.ANSWERED, ProposalState.REHANDLING, ProposalState.CLOSED})


@dataclass(frozen=True)
class Answer:
    """One department's answer to one item in one round."""

    department: Department
    handling: Handling


@dataclass(frozen=True)
class Item:
    """A numbered suggestion and the answers it got."""

    suggestion: Suggestion
    answers: list[Answer] = field(default_factory=list)


@dataclass(frozen=True)
class ProposalView:
    """A proposal as its member reads it; ``own`` unless the reader only co-signs it."""

    proposal: Proposal
    own: bool
    lead: Member | None
    sector: Sector | None
    items: list[Item]
    cosigners: list[tuple[Member, str]]
    files: list[ProposalFile]

    @property
    def rateable(self) -> bool:
        """Whether the reader may rate the handling now."""
        return self.own and self.proposal.state == ProposalState.ANSWERED


@dataclass(frozen=True)
class ProposalPage:
    """One page of a member's proposals, newest first."""

    items: list[Proposal]
    total: int
    page: int
    pages: int


def drawn_version(proposal: Proposal) -> str:
    """What a button on a proposal's card was drawn for: its state and handling round."""
    return proposal_version(proposal)


def _visible(member_id: int) -> ColumnElement[bool]:
    cosigns = exists().where(
        col(ProposalCosigner.proposal_id) == col(Proposal.id),
        col(ProposalCosigner.member_id) == member_id,
        col(ProposalCosigner.state).in_([CosignerState.INVITED, CosignerState.CONFIRMED]),
    )
    return or_(
        col(Proposal.author_member_id) == member_id,
        col(Proposal.member_id) == member_id,
        and_(col(Proposal.state) != ProposalState.DRAFT, cosigns),
    )


def is_own(proposal: Proposal, member_id: int) -> bool:
    """Whether the member leads or wrote the proposal (and so may change or rate it)."""
    return member_id in (proposal.author_member_id, proposal.member_id)


async def list_member_proposals(
    session: AsyncSession, *, member_id: int, page: int = 0, per_page: int = PAGE_SIZE
) -> ProposalPage:
    """A page of the member's proposals, newest first; a page out of range gives the last."""
    total = int(
        await session.scalar(select(func.count()).select_from(Proposal).where(_visible(member_id)))
        or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 0), pages - 1)
    rows = await session.execute(
        select(Proposal)
        .where(_visible(member_id))
        .order_by(col(Proposal.updated_at).desc(), col(Proposal.id).desc())
        .offset(page * per_page)
        .limit(per_page)
    )
    return ProposalPage(list(rows.scalars()), total, page, pages)


async def get_member_proposal(
    session: AsyncSession, *, member_id: int, proposal_id: int
) -> ProposalView | None:
    """The proposal as the member reads it; None when it is not theirs to see."""
    proposal = (
        await session.execute(
            select(Proposal).where(col(Proposal.id) == proposal_id, _visible(member_id))
        )
    ).scalar_one_or_none()
    if proposal is None:
        return None
    suggestions = list(
        (
            await session.execute(
                select(Suggestion)
                .where(col(Suggestion.proposal_id) == proposal_id)
                .order_by(col(Suggestion.position))
            )
        ).scalars()
    )
    answers: dict[int | None, list[Answer]] = {s.id: [] for s in suggestions}
    if proposal.state in ANSWERS_SHOWN and suggestions:
        rows = await session.execute(
            select(Handling, Department)
            .join(Department, col(Department.id) == col(Handling.department_id))
            .where(
                col(Handling.suggestion_id).in_(list(answers)),
                col(Handling.answered_at).is_not(None),
            )
            .order_by(col(Handling.round), col(Handling.lead).desc(), col(Department.sort_order))
        )
        for handling, department in rows.all():
            answers[handling.suggestion_id].append(Answer(department, handling))
    cosigners = (
        await session.execute(
            select(Member, col(ProposalCosigner.state))
            .join(ProposalCosigner, col(ProposalCosigner.member_id) == col(Member.id))
            .where(col(ProposalCosigner.proposal_id) == proposal_id)
            .order_by(col(Member.name), col(Member.id))
        )
    ).all()
    files = await session.execute(
        select(ProposalFile)
        .where(col(ProposalFile.proposal_id) == proposal_id)
        .order_by(col(ProposalFile.position))
    )
    lead_id = proposal.member_id or proposal.author_member_id
    return ProposalView(
        proposal=proposal,
        own=is_own(proposal, member_id),
        lead=await session.get(Member, lead_id) if lead_id is not None else None,
        sector=await session.get(Sector, proposal.sector_id) if proposal.sector_id else None,
        items=[Item(s, answers[s.id]) for s in suggestions],
        cosigners=[(member, state) for member, state in cosigners],
        files=list(files.scalars()),
    )
