"""Members whose roster entry changed since their total was counted.

A roster import or a conduct record changes a member's group, office flag or status without
touching any record the ledger counts, so the points stay right while the group and the
``ranked`` flag of the member's total go stale. :func:`drifted_members` finds them, with one
read of the roster joined to the year's totals, for :func:`~services.assessment.ledger.
ensure_ledger` to recount before the year is read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.config import AssessmentRules
from services.assessment.sources import MEMBER
from services.assessment.totals import expected_place, joined_on
from storage.models import AssessmentTotal, Member


async def drifted_members(
    session: AsyncSession, *, year: int, rules: AssessmentRules, tz: dt.tzinfo
) -> list[int]:
    """Members whose total's group or ranked flag no longer matches their roster entry."""
    rows = await session.execute(
        select(
            col(Member.id),
            col(Member.assessment_group),
            col(Member.office),
            col(Member.status),
            col(Member.created_at),
            col(Member.term),
            col(AssessmentTotal.group_code),
            col(AssessmentTotal.ranked),
        ).join(
            AssessmentTotal,
            and_(
                col(AssessmentTotal.subject_id) == col(Member.id),
                col(AssessmentTotal.year) == year,
                col(AssessmentTotal.subject_kind) == MEMBER,
            ),
        )
    )
    drifted = []
    for member_id, group, office, status, created_at, term, group_code, ranked in rows:
        joined = joined_on(created_at, term, tz)
        place = expected_place(
            rules, year=year, group=group, office=bool(office), status=status, joined=joined
        )
        if place != (group_code, bool(ranked)):
            drifted.append(member_id or 0)
    return drifted
