"""A member's record of closed years: their frozen results, named with each year's snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.config import AssessmentRules
from services.assessment.standings import CLOSED, MEMBER, PUBLISHED
from storage.models import AssessmentResult, AssessmentYear


@dataclass(frozen=True)
class PastYear:
    """One closed or published year of a member, and the rules it was closed with."""

    result: AssessmentResult
    state: str
    rules: AssessmentRules

    def group_name(self, locale: str) -> str:
        """The member's group as the year's snapshot names it."""
        code = self.result.group_code
        group = next((g for g in self.rules.member_groups if g.code == code), None)
        if group is None:
            return code
        return group.name_zh if locale.startswith("zh") else group.name_en


async def past_years(session: AsyncSession, *, member_id: int) -> list[PastYear]:
    """The member's closed and published years, newest first."""
    rows = await session.execute(
        select(AssessmentResult, AssessmentYear)
        .join(AssessmentYear, col(AssessmentYear.year) == col(AssessmentResult.year))
        .where(
            col(AssessmentResult.subject_kind) == MEMBER,
            col(AssessmentResult.subject_id) == member_id,
            col(AssessmentYear.state).in_([CLOSED, PUBLISHED]),
        )
        .order_by(col(AssessmentResult.year).desc())
    )
    return [
        PastYear(result, year.state, AssessmentRules.model_validate_json(year.rules_snapshot))
        for result, year in rows.all()
    ]


async def closed_years(session: AsyncSession) -> list[int]:
    """Every closed or published year, newest first (the years whose standings are frozen)."""
    rows = await session.execute(
        select(col(AssessmentYear.year))
        .where(col(AssessmentYear.state).in_([CLOSED, PUBLISHED]))
        .order_by(col(AssessmentYear.year).desc())
    )
    return [int(year) for year in rows.scalars()]
