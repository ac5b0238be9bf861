"""The term review: each member's years of a term side by side, and the term award's list.

A member decided excellent in ``term_award_years`` (3) of the term's years is eligible for
the term award; the special committees recommend from that list and the chairs' meeting
decides, as for the yearly lists. Only closed years have results: an open year of the term
shows as not yet assessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.sources import MEMBER
from storage.enums import MemberStatus
from storage.models import AssessmentResult, Member


@dataclass(frozen=True)
class TermYear:
    """A member's frozen result in one year of the term."""

    year: int
    total_c: int
    rank: int | None
    group_size: int
    in_pool: bool
    excellent: bool | None


@dataclass(frozen=True)
class TermRow:
    """A member's years of the term (None for a year not closed or not served)."""

    member: Member
    years: tuple[TermYear | None, ...]
    excellent_years: int
    eligible: bool


async def term_review(session: AsyncSession, *, years: list[int], needed: int) -> list[TermRow]:
    """Every member who has not left, with their result in each of ``years``, by code."""
    results = await session.execute(
        select(AssessmentResult).where(
            col(AssessmentResult.subject_kind) == MEMBER,
            col(AssessmentResult.year).in_(years),
        )
    )
    by_member: dict[int, dict[int, AssessmentResult]] = defaultdict(dict)
    for result in results.scalars():
        by_member[result.subject_id][result.year] = result
    members = await session.execute(
        select(Member).where(col(Member.status) != MemberStatus.LEFT).order_by(col(Member.code))
    )
    rows = []
    for member in members.scalars():
        mine = by_member.get(member.id or 0, {})
        cells = tuple(_year(mine.get(year)) for year in years)
        won = sum(1 for cell in cells if cell is not None and cell.excellent)
        rows.append(TermRow(member, cells, won, won >= needed))
    return rows


def _year(result: AssessmentResult | None) -> TermYear | None:
    if result is None:
        return None
    return TermYear(
        year=result.year,
        total_c=result.total_c,
        rank=result.rank,
        group_size=result.group_size,
        in_pool=result.in_pool,
        excellent=result.excellent,
    )
