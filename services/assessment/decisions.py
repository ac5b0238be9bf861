"""What follows the close: the special committees' recommendations, the chairs' decision.

Only subjects in their group's pool can be recommended or decided excellent. A committee's
recommendation replaces its earlier one; the decision replaces any earlier decision: the
decided subjects are excellent, the rest of the pool is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import closed_year, require_admin
from services.assessment.standings import MEMBER, SECTOR
from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from storage.db import write_transaction
from storage.models import AssessmentResult, SpecialCommittee


async def _pool(session: AsyncSession, year: int, kind: str) -> dict[int, AssessmentResult]:
    rows = await session.execute(
        select(AssessmentResult).where(
            col(AssessmentResult.year) == year,
            col(AssessmentResult.subject_kind) == kind,
            col(AssessmentResult.in_pool).is_(True),
        )
    )
    return {r.subject_id: r for r in rows.scalars()}


def _only_pool(pool: dict[int, AssessmentResult], chosen: Sequence[int], kind: str) -> None:
    outside = sorted(set(chosen) - set(pool))
    if outside:
        raise DomainError("not_in_pool", kind=kind, ids=outside)


async def record_recommendation(
    session: AsyncSession,
    *,
    year: int,
    committee_id: int,
    member_ids: Sequence[int],
    actor: Actor,
    now: dt.datetime,
    scope: StaffScope | None = None,
) -> int:
    """A special committee's recommended members (in the pool only); returns how many."""
    require_admin(actor, scope)
    async with write_transaction(session):
        await closed_year(session, year)
        if await session.get(SpecialCommittee, committee_id) is None:
            raise NotFoundError("committee")
        pool = await _pool(session, year, MEMBER)
        _only_pool(pool, member_ids, MEMBER)
        chosen = set(member_ids)
        for member_id, result in pool.items():
            if member_id in chosen:
                result.recommended_by_committee_id = committee_id
                result.recommended_at = now
            elif result.recommended_by_committee_id == committee_id:
                # The committee's new list replaces its old one.
                result.recommended_by_committee_id = None
                result.recommended_at = None
        audit(
            session,
            actor=actor,
            action="assessment.recommend",
            object_kind="assessment_year",
            object_id=year,
            after={"committee_id": committee_id, "member_ids": sorted(chosen)},
            now=now,
        )
    return len(chosen)


async def record_decision(
    session: AsyncSession,
    *,
    year: int,
    member_ids: Sequence[int],
    sector_ids: Sequence[int],
    actor: Actor,
    now: dt.datetime,
    scope: StaffScope | None = None,
) -> tuple[int, int]:
    """The chairs' meeting's excellent members and sectors; returns how many of each."""
    require_admin(actor, scope)
    async with write_transaction(session):
        await closed_year(session, year)
        members = await _pool(session, year, MEMBER)
        sectors = await _pool(session, year, SECTOR)
        _only_pool(members, member_ids, MEMBER)
        _only_pool(sectors, sector_ids, SECTOR)
        for pool, chosen in ((members, set(member_ids)), (sectors, set(sector_ids))):
            for subject_id, result in pool.items():
                result.excellent = subject_id in chosen
                result.decided_at = now
        audit(
            session,
            actor=actor,
            action="assessment.decide",
            object_kind="assessment_year",
            object_id=year,
            after={"member_ids": sorted(set(member_ids)), "sector_ids": sorted(set(sector_ids))},
            now=now,
        )
    return len(set(member_ids)), len(set(sector_ids))
