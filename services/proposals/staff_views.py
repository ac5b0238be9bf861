"""The office's proposals desk: the shelves by stage, their counts, and one proposal's card.

Administrators only: station staff look after residents' cases, not members' proposals.
The shelves are read a page at a time; the card gathers everything the office needs to
decide the next step (items, departments and their answers, ratings, the timeline).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.audit import Actor
from services.pipeline.timeline import proposal_timeline
from services.proposals.review import load_for_staff
from storage.enums import ProposalState
from storage.models import (
    Department,
    FaceMeeting,
    Handling,
    Member,
    PipelineEvent,
    PipelineRating,
    Proposal,
    ProposalCosigner,
    Sector,
    Suggestion,
)

PAGE_SIZE = 6
SHELVES = ("review", "unassigned", "assigned", "overdue", "answered", "closed")


def _shelf_clause(shelf: str, now: dt.datetime) -> Any:
    state = col(Proposal.state)
    return {
        "review": state == ProposalState.SUBMITTED,
        "unassigned": state == ProposalState.REGISTERED,
        "assigned": state.in_([ProposalState.ASSIGNED, ProposalState.REHANDLING]),
        "overdue": and_(
            state.in_([ProposalState.ASSIGNED, ProposalState.REHANDLING]),
            col(Proposal.due_at) < now,
        ),
        "answered": state == ProposalState.ANSWERED,
        "closed": state.in_([ProposalState.CLOSED, ProposalState.NOT_REGISTERED]),
    }[shelf]


@dataclass(frozen=True)
class ShelfRow:
    """One proposal on a shelf."""

    id: int
    number: str | None
    title: str
    state: str
    due_at: dt.datetime | None
    overdue: bool


@dataclass(frozen=True)
class ShelfPage:
    """A page of a shelf: its rows, which page it is, how many pages and rows in all."""

    rows: list[ShelfRow]
    page: int
    pages: int
    total: int


async def shelf_counts(
    session: AsyncSession, *, actor: Actor, scope: StaffScope | None, now: dt.datetime
) -> dict[str, int]:
    """How many proposals wait on each shelf."""
    require_admin(actor, scope)
    counts: dict[str, int] = {}
    for shelf in SHELVES:
        counts[shelf] = int(
            await session.scalar(
                select(func.count()).select_from(Proposal).where(_shelf_clause(shelf, now))
            )
            or 0
        )
    return counts


async def shelf_page(
    session: AsyncSession,
    *,
    shelf: str,
    page: int,
    actor: Actor,
    scope: StaffScope | None,
    now: dt.datetime,
    page_size: int = PAGE_SIZE,
) -> ShelfPage:
    """One page of a shelf, oldest first (the review shelf by submission, the rest by due)."""
    require_admin(actor, scope)
    clause = _shelf_clause(shelf, now)
    total = int(await session.scalar(select(func.count()).select_from(Proposal).where(clause)) or 0)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    order = (
        (col(Proposal.created_at), col(Proposal.id))
        if shelf in ("review", "unassigned")
        else (col(Proposal.due_at), col(Proposal.id))
        if shelf in ("assigned", "overdue")
        else (col(Proposal.updated_at).desc(), col(Proposal.id).desc())
    )
    rows = await session.execute(
        select(
            col(Proposal.id),
            col(Proposal.number),
            col(Proposal.title),
            col(Proposal.state),
            col(Proposal.due_at),
        )
        .where(clause)
        .order_by(*order)
        .offset(page * page_size)
        .limit(page_size)
    )
    return ShelfPage(
        rows=[
            ShelfRow(
                id=pid or 0,
                number=number,
                title=title,
                state=state,
                due_at=due,
                overdue=due is not None
                and due < now
                and state in (ProposalState.ASSIGNED, ProposalState.REHANDLING),
            )
            for pid, number, title, state, due in rows.all()
        ],
        page=page,
        pages=pages,
        total=total,
    )


@dataclass(frozen=True)
class HandlingView:
    """One department's work on one item."""

    department: Department
    handling: Handling


@dataclass(frozen=True)
class ItemView:
    """One suggestion with every department's handling of it, latest round last."""

    suggestion: Suggestion
    handlings: list[HandlingView]


@dataclass
class ProposalCard:
    """Everything about one proposal the office's card shows."""

    proposal: Proposal
    member: Member | None
    sector: Sector | None
    author: Member | None
    cosigners: list[tuple[Member, str]]
    items: list[ItemView]
    departments: list[tuple[Department, bool]]
    ratings: list[PipelineRating]
    face_meetings: list[FaceMeeting]
    timeline: list[PipelineEvent] = field(default_factory=list)


async def proposal_card(
    session: AsyncSession, *, proposal_id: int, actor: Actor, scope: StaffScope | None
) -> ProposalCard:
    """The card of one proposal (not a draft), for an administrator."""
    proposal = await load_for_staff(session, proposal_id=proposal_id, actor=actor, scope=scope)
    member = await session.get(Member, proposal.member_id) if proposal.member_id else None
    sector = await session.get(Sector, proposal.sector_id) if proposal.sector_id else None
    author_id = proposal.author_member_id or proposal.member_id
    author = await session.get(Member, author_id) if author_id else None
    cosigners = [
        (m, state)
        for m, state in (
            await session.execute(
                select(Member, col(ProposalCosigner.state))
                .join(ProposalCosigner, col(ProposalCosigner.member_id) == col(Member.id))
                .where(col(ProposalCosigner.proposal_id) == proposal_id)
                .order_by(col(Member.code))
            )
        ).all()
    ]
    suggestions = list(
        (
            await session.execute(
                select(Suggestion)
                .where(col(Suggestion.proposal_id) == proposal_id)
                .order_by(col(Suggestion.position))
            )
        ).scalars()
    )
    handled: dict[int, list[HandlingView]] = {s.id or 0: [] for s in suggestions}
    departments: dict[int, tuple[Department, bool]] = {}
    if suggestions:
        rows = await session.execute(
            select(Handling, Department)
            .join(Department, col(Department.id) == col(Handling.department_id))
            .where(col(Handling.suggestion_id).in_([s.id for s in suggestions]))
            .order_by(col(Handling.round), col(Handling.lead).desc(), col(Department.sort_order))
        )
        for handling, department in rows.all():
            handled[handling.suggestion_id].append(HandlingView(department, handling))
            leads = handling.lead or departments.get(department.id or 0, (department, False))[1]
            departments[department.id or 0] = (department, leads)
    ratings = list(
        (
            await session.execute(
                select(PipelineRating)
                .where(col(PipelineRating.subject) == f"proposal:{proposal_id}")
                .order_by(col(PipelineRating.created_at))
            )
        ).scalars()
    )
    face = list(
        (
            await session.execute(
                select(FaceMeeting)
                .where(col(FaceMeeting.proposal_id) == proposal_id)
                .order_by(col(FaceMeeting.met_on))
            )
        ).scalars()
    )
    return ProposalCard(
        proposal=proposal,
        member=member,
        sector=sector,
        author=author,
        cosigners=cosigners,
        items=[ItemView(s, handled[s.id or 0]) for s in suggestions],
        departments=sorted(
            departments.values(), key=lambda pair: (not pair[1], pair[0].sort_order)
        ),
        ratings=ratings,
        face_meetings=face,
        timeline=await proposal_timeline(session, proposal_id),
    )
