"""Recording proposals, rating them, importing them from a sheet; the ledger kept in step.

Minimal on purpose: what items M14–M16 and S03 count (the lead member or sector, the
co-signers, the year-end rating). The later proposals feature extends this module. Every
change is audited and refreshes the proposal's ledger lines (its co-signers' too) in the
same write transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.assessment.ledger import check_open, refresh_source
from services.audit import Actor, audit
from services.errors import DomainError
from services.members.rules import RuleBook
from storage.db import write_transaction
from storage.models import Proposal, ProposalCosigner

RATINGS = ("", "excellent", "key", "excellent_key")
NUMBER = re.compile(r"^(\d{4})-[A-Za-z]{1,4}-\d{1,6}$")
TITLE_MAX = 200


@dataclass(frozen=True)
class ProposalDraft:
    """A proposal as given: lead member xor sector, co-signers (member ids), optional rating."""

    year: int
    number: str
    title: str
    submitted_on: dt.date
    member_id: int | None = None
    sector_id: int | None = None
    cosigner_ids: tuple[int, ...] = ()
    rating: str | None = None


def check_proposal(draft: ProposalDraft) -> None:
    """Refuse a malformed proposal (pure: an import checks every row before writing)."""
    found = NUMBER.match(draft.number)
    if found is None or int(found.group(1)) != draft.year or len(draft.number) > 20:
        raise DomainError("proposal_number", value=draft.number, year=draft.year)
    if (draft.member_id is None) == (draft.sector_id is None):
        raise DomainError("entry_subject")
    if not draft.title.strip():
        raise DomainError("entry_title_missing")
    if len(draft.title) > TITLE_MAX:
        raise DomainError("entry_title_length", maximum=TITLE_MAX)
    if draft.rating is not None and draft.rating not in RATINGS:
        raise DomainError("proposal_rating")
    if draft.member_id is not None and draft.member_id in draft.cosigner_ids:
        raise DomainError("proposal_cosigner_lead", value=draft.member_id)


async def find_proposal(session: AsyncSession, *, year: int, number: str) -> Proposal | None:
    """The proposal registered under ``number`` in ``year``."""
    return (
        await session.execute(
            select(Proposal).where(col(Proposal.year) == year, col(Proposal.number) == number)
        )
    ).scalar_one_or_none()


async def _cosigners(session: AsyncSession, proposal_id: int) -> tuple[int, ...]:
    rows = await session.execute(
        select(col(ProposalCosigner.member_id)).where(
            col(ProposalCosigner.proposal_id) == proposal_id
        )
    )
    return tuple(sorted(rows.scalars()))


async def _refresh(
    session: AsyncSession, proposal: Proposal, rulebook: RuleBook, tz: dt.tzinfo, now: dt.datetime
) -> None:
    assert proposal.id is not None
    await refresh_source(
        session,
        source_kind="proposal",
        source_id=proposal.id,
        year=proposal.year,
        rules=rulebook.for_year(proposal.year),
        tz=tz,
        now=now,
    )


async def refresh_proposal(
    session: AsyncSession,
    proposal: Proposal,
    *,
    rulebook: RuleBook,
    tz: dt.tzinfo,
    now: dt.datetime,
) -> None:
    """Re-derive the proposal's ledger lines (its co-signers' too) in the caller's transaction."""
    await _refresh(session, proposal, rulebook, tz, now)


async def save_proposal(
    session: AsyncSession, draft: ProposalDraft, *, actor: Actor, now: dt.datetime
) -> tuple[Proposal, str]:
    """Create or update by (year, number) in the caller's transaction, audited, no refresh.

    Returns the proposal and ``created``, ``updated`` or ``unchanged``.
    """
    proposal = await find_proposal(session, year=draft.year, number=draft.number)
    wanted: dict[str, Any] = {
        "title": draft.title.strip(),
        "submitted_on": draft.submitted_on,
        "member_id": draft.member_id,
        "sector_id": draft.sector_id,
    }
    if draft.rating is not None:
        wanted["rating"] = draft.rating
    cosigners = tuple(sorted(set(draft.cosigner_ids)))
    if proposal is None:
        proposal = Proposal(
            year=draft.year,
            number=draft.number,
            recorded_by_staff_id=actor.id if actor.kind == "staff" else None,
            created_at=now,
            updated_at=now,
            **wanted,
        )
        session.add(proposal)
        await session.flush()
        before: dict[str, object] = {}
        outcome = "created"
    else:
        assert proposal.id is not None
        before = {key: getattr(proposal, key) for key in wanted}
        before["cosigners"] = await _cosigners(session, proposal.id)
        if before == {**wanted, "cosigners": cosigners}:
            return proposal, "unchanged"
        for key, value in wanted.items():
            setattr(proposal, key, value)
        proposal.updated_at = now
        outcome = "updated"
    assert proposal.id is not None
    await session.execute(
        delete(ProposalCosigner).where(col(ProposalCosigner.proposal_id) == proposal.id)
    )
    session.add_all(ProposalCosigner(proposal_id=proposal.id, member_id=m) for m in cosigners)
    await session.flush()
    audit(
        session,
        actor=actor,
        action=f"proposal.{'record' if outcome == 'created' else 'update'}",
        object_kind="proposal",
        object_id=proposal.id,
        before=before or None,
        after={**wanted, "number": draft.number, "cosigners": cosigners},
        now=now,
    )
    return proposal, outcome


async def record_proposal(
    session: AsyncSession,
    *,
    year: int,
    number: str,
    title: str,
    submitted_on: dt.date,
    member_id: int | None = None,
    sector_id: int | None = None,
    cosigner_ids: Sequence[int] = (),
    actor: Actor,
    scope: StaffScope | None = None,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
) -> Proposal:
    """Register (or correct) a proposal and count it for its proposer and co-signers."""
    require_admin(actor, scope)
    draft = ProposalDraft(
        year=year,
        number=number,
        title=title,
        submitted_on=submitted_on,
        member_id=member_id,
        sector_id=sector_id,
        cosigner_ids=tuple(cosigner_ids),
    )
    check_proposal(draft)
    async with write_transaction(session):
        await check_open(session, years=[year])
        proposal, outcome = await save_proposal(session, draft, actor=actor, now=now)
        if outcome != "unchanged":
            await _refresh(session, proposal, rulebook, tz, now)
    return proposal


async def rate_proposal(
    session: AsyncSession,
    *,
    year: int,
    number: str,
    rating: str,
    actor: Actor,
    scope: StaffScope | None = None,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
) -> Proposal:
    """Set a proposal's year-end rating (``none`` or ``''`` clears it); audited, counted."""
    require_admin(actor, scope)
    rating = "" if rating == "none" else rating
    if rating not in RATINGS:
        raise DomainError("proposal_rating")
    async with write_transaction(session):
        await check_open(session, years=[year])
        proposal = await find_proposal(session, year=year, number=number)
        if proposal is None:
            raise DomainError("proposal_unknown", year=year, number=number)
        if proposal.rating != rating:
            audit(
                session,
                actor=actor,
                action="proposal.rate",
                object_kind="proposal",
                object_id=proposal.id,
                before={"rating": proposal.rating},
                after={"rating": rating},
                now=now,
            )
            proposal.rating = rating
            proposal.updated_at = now
            await session.flush()
            await _refresh(session, proposal, rulebook, tz, now)
    return proposal
