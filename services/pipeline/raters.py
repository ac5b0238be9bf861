"""Who may rate an outcome suggestion or a proposal: the members who took part.

For an outcome, the members of the consultation it came from (``OutcomeMember``); for a
proposal, its member (a sector's proposal: the convenor who wrote it) and its confirmed
co-signers. A look back asks them; a quality evaluation asks them and the representatives of
their sectors (each sector's convenor). Both write their ratings the same way: once per
member, purpose and department, with a line on the timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor
from services.errors import DomainError
from services.pipeline.timeline import add_line
from storage.db import write_transaction
from storage.enums import CosignerState, Satisfaction
from storage.models import (
    Member,
    OutcomeMember,
    PipelineRating,
    Proposal,
    ProposalCosigner,
    Sector,
    Suggestion,
)

REASON_MAX = 500

KINDS = ("p", "s")


def subject_of(kind: str, item_id: int) -> str:
    """The ``PipelineRating.subject`` of a proposal (``p``) or a suggestion (``s``)."""
    if kind not in KINDS:
        raise DomainError("pipeline_item_unknown")
    return f"{'proposal' if kind == 'p' else 'suggestion'}:{item_id}"


async def proposal_raters(session: AsyncSession, proposal: Proposal) -> list[int]:
    """The proposal's own member (or writing convenor), then its confirmed co-signers."""
    own = proposal.member_id or proposal.author_member_id
    cosigners = (
        await session.execute(
            select(col(ProposalCosigner.member_id))
            .where(
                col(ProposalCosigner.proposal_id) == proposal.id,
                col(ProposalCosigner.state) == CosignerState.CONFIRMED,
            )
            .order_by(col(ProposalCosigner.member_id))
        )
    ).scalars()
    return list(dict.fromkeys([*([own] if own else []), *cosigners]))


async def outcome_raters(session: AsyncSession, outcome_id: int) -> list[int]:
    """The members who took part in the consultation the outcome came from."""
    rows = await session.execute(
        select(col(OutcomeMember.member_id))
        .where(col(OutcomeMember.outcome_id) == outcome_id)
        .order_by(col(OutcomeMember.member_id))
    )
    return list(rows.scalars())


async def with_representatives(session: AsyncSession, member_ids: Sequence[int]) -> list[int]:
    """The members, then their sectors' representatives (each sector's convenor) not among them.

    A quality evaluation asks the sectors as well as the members who took part.
    """
    convenors = await session.execute(
        select(col(Sector.convenor_member_id))
        .join(Member, col(Member.sector_id) == col(Sector.id))
        .where(col(Member.id).in_(list(member_ids)), col(Sector.convenor_member_id).is_not(None))
        .order_by(col(Sector.convenor_member_id))
    )
    return list(dict.fromkeys([*member_ids, *(c for c in convenors.scalars() if c is not None)]))


async def raters_of(session: AsyncSession, kind: str, item_id: int) -> list[int]:
    """The members who may rate a proposal (``p``) or an outcome suggestion (``s``)."""
    if kind == "p":
        proposal = await session.get(Proposal, item_id)
        return [] if proposal is None else await proposal_raters(session, proposal)
    suggestion = await session.get(Suggestion, item_id)
    if suggestion is None or suggestion.outcome_id is None:
        return []
    return await outcome_raters(session, suggestion.outcome_id)


def check_value(value: str, reason: str | None) -> None:
    """A known rating; "not satisfied" needs a reason, of a sentence's length."""
    if value not in set(Satisfaction):
        raise DomainError("rating_value")
    text = (reason or "").strip()
    if value == Satisfaction.UNSATISFIED and not text:
        raise DomainError("reason_missing")
    if len(text) > REASON_MAX:
        raise DomainError("text_too_long", length=len(text), maximum=REASON_MAX)


async def save_rating(
    session: AsyncSession,
    *,
    subject: str,
    purpose: str,
    department_id: int,
    member_id: int,
    value: str,
    reason: str | None,
    now: dt.datetime,
    proposal_id: int | None = None,
    suggestion_id: int | None = None,
) -> PipelineRating:
    """Write one member's rating and its timeline line; ``already_rated`` the second time."""
    if await already_rated(
        session, subject=subject, purpose=purpose, department_id=department_id, member_id=member_id
    ):
        raise DomainError("already_rated")
    rating = PipelineRating(
        subject=subject,
        purpose=purpose,
        department_id=department_id,
        rater_kind="member",
        rater_id=member_id,
        value=value,
        reason=(reason or "").strip() or None,
        created_at=now,
    )
    outcome_id = None
    if suggestion_id is not None:
        outcome_id = await session.scalar(
            select(col(Suggestion.outcome_id)).where(col(Suggestion.id) == suggestion_id)
        )
    async with write_transaction(session):
        session.add(rating)
        add_line(
            session,
            kind=f"{purpose}-rating",
            actor=Actor("member", member_id),
            now=now,
            proposal_id=proposal_id,
            outcome_id=outcome_id,
            suggestion_id=suggestion_id,
            body=value,
        )
    return rating


async def already_rated(
    session: AsyncSession, *, subject: str, purpose: str, department_id: int, member_id: int
) -> bool:
    """Whether the member gave this rating already."""
    found = await session.scalar(
        select(func.count())
        .select_from(PipelineRating)
        .where(
            col(PipelineRating.subject) == subject,
            col(PipelineRating.purpose) == purpose,
            col(PipelineRating.department_id) == department_id,
            col(PipelineRating.rater_kind) == "member",
            col(PipelineRating.rater_id) == member_id,
        )
    )
    return bool(found)
