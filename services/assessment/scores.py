"""Reading the ledger: a member's live score and rank, their lines, a year's totals.

The reads never write: call :func:`services.assessment.ledger.ensure_ledger` first when
the year's rules may have changed. A member's score is three index range scans: their item
sums (the covering ``ix_assessment_line_sum``), the count of ranked members of the group
above them and the k-th total of the group (``ix_assessment_total_rank``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.config import AssessmentRules
from services.assessment.ranking import cut_size
from services.assessment.sources import MEMBER
from services.assessment.totals import score_items
from services.assessment.types import ItemScore, LedgerLine, MemberScore, TotalRow
from services.members.rules import Rules
from storage.models import AssessmentLine, AssessmentTotal


def pool_fraction(rules: AssessmentRules, group_code: str) -> Fraction:
    """The pool fraction of a member group (0 for a code the rules do not know)."""
    group = next((g for g in rules.member_groups if g.code == group_code), None)
    return rules.pool_fraction_of(group) if group is not None else Fraction(0)


def item_scores(
    rules: AssessmentRules, rows: list[tuple[str, int, int, int]]
) -> tuple[ItemScore, ...]:
    """Per-item scores, in the rules' order, from ``(code, units_c, points_c, lines)`` sums."""
    found = {code: (units, points, lines) for code, units, points, lines in rows}
    _total, _quality, capped = score_items(
        rules.member_items, {code: p for code, (_u, p, _n) in found.items()}, None
    )
    return tuple(
        ItemScore(
            item.code,
            found[item.code][0],
            found[item.code][1],
            capped[item.code],
            found[item.code][2],
        )
        for item in rules.member_items
        if item.code in found
    )


async def member_score(
    session: AsyncSession, *, member_id: int, year: int, rules: Rules, tz: dt.tzinfo
) -> MemberScore:
    """A member's year so far: total, items, group, rank, group size and the pool's cut.

    ``tz`` is accepted for symmetry with the writers (the ledger is already dated).
    """
    assessment = rules.assessment
    assert assessment is not None, "the year has no assessment"
    sums = (
        await session.execute(
            select(
                col(AssessmentLine.item_code),
                func.sum(AssessmentLine.units_c),
                func.sum(AssessmentLine.points_c),
                func.count(),
            )
            .where(
                col(AssessmentLine.year) == year,
                col(AssessmentLine.subject_kind) == MEMBER,
                col(AssessmentLine.subject_id) == member_id,
            )
            .group_by(col(AssessmentLine.item_code))
        )
    ).all()
    items = item_scores(assessment, [(c, int(u), int(p), int(n)) for c, u, p, n in sums])
    total = await session.get(AssessmentTotal, (year, MEMBER, member_id))
    if total is None:
        return MemberScore(member_id, year, 0, 0, 0, "", False, None, 0, 0, None, False, items)
    group = (
        col(AssessmentTotal.year) == year,
        col(AssessmentTotal.subject_kind) == MEMBER,
        col(AssessmentTotal.group_code) == total.group_code,
        col(AssessmentTotal.ranked).is_(True),
    )
    size = int(
        (
            await session.execute(select(func.count()).select_from(AssessmentTotal).where(*group))
        ).scalar_one()
    )
    rank = None
    if total.ranked:
        above = (
            await session.execute(
                select(func.count())
                .select_from(AssessmentTotal)
                .where(*group, col(AssessmentTotal.total_c) > total.total_c)
            )
        ).scalar_one()
        rank = 1 + int(above)
    k = cut_size(size, pool_fraction(assessment, total.group_code), assessment.rounding)
    cut = None
    if k > 0:
        cut = (
            await session.execute(
                select(col(AssessmentTotal.total_c))
                .where(*group)
                .order_by(col(AssessmentTotal.total_c).desc())
                .limit(1)
                .offset(k - 1)
            )
        ).scalar_one_or_none()
    return MemberScore(
        member_id=member_id,
        year=year,
        total_c=total.total_c,
        quality_c=total.quality_c,
        absences=total.absences,
        group_code=total.group_code,
        ranked=total.ranked,
        rank=rank,
        group_size=size,
        pool_size=k,
        cut_c=cut,
        in_pool=total.ranked and cut is not None and total.total_c >= cut,
        items=items,
    )


async def member_lines(
    session: AsyncSession, *, member_id: int, year: int, item_code: str | None = None
) -> list[LedgerLine]:
    """A member's lines of a year (of one item if given), by date then item."""
    stmt = select(AssessmentLine).where(
        col(AssessmentLine.year) == year,
        col(AssessmentLine.subject_kind) == MEMBER,
        col(AssessmentLine.subject_id) == member_id,
    )
    if item_code is not None:
        stmt = stmt.where(col(AssessmentLine.item_code) == item_code)
    stmt = stmt.order_by(
        col(AssessmentLine.occurred_on), col(AssessmentLine.item_code), col(AssessmentLine.id)
    )
    return [
        LedgerLine(
            id=line.id or 0,
            year=line.year,
            subject_kind=line.subject_kind,
            subject_id=line.subject_id,
            item_code=line.item_code,
            source_kind=line.source_kind,
            source_id=line.source_id,
            occurred_on=line.occurred_on,
            units_c=line.units_c,
            points_c=line.points_c,
        )
        for line in (await session.execute(stmt)).scalars()
    ]


async def year_totals(
    session: AsyncSession, *, year: int, subject_kind: str = MEMBER
) -> list[TotalRow]:
    """Every total of a year, by group then rank (RANK semantics: 1, 2, 2, 4); unranked last."""
    rows = (
        await session.execute(
            select(
                col(AssessmentTotal.subject_id),
                col(AssessmentTotal.group_code),
                col(AssessmentTotal.ranked),
                col(AssessmentTotal.total_c),
                col(AssessmentTotal.quality_c),
                col(AssessmentTotal.absences),
            )
            .where(
                col(AssessmentTotal.year) == year,
                col(AssessmentTotal.subject_kind) == subject_kind,
            )
            .order_by(
                col(AssessmentTotal.group_code),
                col(AssessmentTotal.ranked).desc(),
                col(AssessmentTotal.total_c).desc(),
                col(AssessmentTotal.subject_id),
            )
        )
    ).all()
    result: list[TotalRow] = []
    position: defaultdict[str, int] = defaultdict(int)
    last: dict[str, tuple[int, int]] = {}
    for subject_id, group_code, ranked, total_c, quality_c, absences in rows:
        rank = None
        if ranked:
            position[group_code] += 1
            previous = last.get(group_code)
            rank = previous[1] if previous and previous[0] == total_c else position[group_code]
            last[group_code] = (total_c, rank)
        result.append(
            TotalRow(
                subject_kind,
                subject_id,
                group_code,
                bool(ranked),
                total_c,
                quality_c,
                absences,
                rank,
            )
        )
    return result


async def year_scores(session: AsyncSession, *, year: int, rules: Rules) -> dict[int, MemberScore]:
    """Every member's :class:`MemberScore` of a year at once (the whole-year assessment).

    One GROUP BY over the lines, one read of the totals; ranks and cuts computed per group.
    """
    assessment = rules.assessment
    assert assessment is not None, "the year has no assessment"
    sums = (
        await session.execute(
            select(
                col(AssessmentLine.subject_id),
                col(AssessmentLine.item_code),
                func.sum(AssessmentLine.units_c),
                func.sum(AssessmentLine.points_c),
                func.count(),
            )
            .where(col(AssessmentLine.year) == year, col(AssessmentLine.subject_kind) == MEMBER)
            .group_by(col(AssessmentLine.subject_id), col(AssessmentLine.item_code))
        )
    ).all()
    by_member: defaultdict[int, list[tuple[str, int, int, int]]] = defaultdict(list)
    for subject_id, code, units, points, lines in sums:
        by_member[subject_id].append((code, int(units), int(points), int(lines)))
    totals = await year_totals(session, year=year, subject_kind=MEMBER)
    ranked_totals: defaultdict[str, list[int]] = defaultdict(list)
    for row in totals:
        if row.ranked:
            ranked_totals[row.group_code].append(row.total_c)
    cuts: dict[str, tuple[int, int, int | None]] = {}
    for code, values in ranked_totals.items():
        k = cut_size(len(values), pool_fraction(assessment, code), assessment.rounding)
        cuts[code] = (len(values), k, values[k - 1] if k > 0 else None)
    result = {}
    for row in totals:
        size, k, cut = cuts.get(row.group_code, (0, 0, None))
        result[row.subject_id] = MemberScore(
            member_id=row.subject_id,
            year=year,
            total_c=row.total_c,
            quality_c=row.quality_c,
            absences=row.absences,
            group_code=row.group_code,
            ranked=row.ranked,
            rank=row.rank,
            group_size=size,
            pool_size=k,
            cut_c=cut,
            in_pool=row.ranked and cut is not None and row.total_c >= cut,
            items=item_scores(assessment, by_member.get(row.subject_id, [])),
        )
    return result
