"""Totals of the ledger: each item's sum bounded by its cap and floor, the total, the group.

Members' totals come from their lines; a sector's total from its own lines plus two figures
drawn from its members (``members``: the average total of its ranked members; ``attendance``:
its members' attendance rate), written as one line each with ``source_id`` 0 and dated the
year's last day. Totals are written with one multi-row upsert, never an ORM object per row.

Who is ranked: an active member who served at least ``min_months_served`` whole calendar
months of the year. The roster keeps no date of appointment, so service starts at the
member's ``created_at`` (their first roster import), local date; a member on the roster
before the year served all twelve months. ``status`` is today's status, not the year's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.attendance import sector_attendance
from services.assessment.config import AssessmentRules, Item
from services.assessment.sources import LINE, MEMBER, SECTOR
from storage.enums import MemberStatus
from storage.models import AssessmentLine, AssessmentTotal, Member, Sector
from storage.queries import table_of, upsert_many

TOTAL = table_of(AssessmentTotal)
UPDATED = ["group_code", "ranked", "total_c", "quality_c", "absences", "fingerprint", "updated_at"]
DRAWN = ("members", "attendance")


def round_half_up(value: Fraction) -> int:
    """A fraction rounded to the nearest integer, halves away from zero."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def joined_on(created_at: dt.datetime, term: str, tz: dt.tzinfo) -> dt.date:
    """When a member's service began: the first year of their term, else their roster entry.

    A roster loaded into the bot mid-term must not make every member a newcomer: the term
    (``2023-2028``) says they served the whole year.
    """
    created = created_at.astimezone(tz).date()
    years = [int(found) for found in re.findall(r"\b(\d{4})\b", term)]
    if years and min(years) < created.year:
        return dt.date(min(years), 1, 1)
    return created


def months_served(joined: dt.date, year: int) -> int:
    """Whole calendar months of ``year`` served by someone who started on ``joined``."""
    if joined.year < year:
        return 12
    if joined.year > year:
        return 0
    # The month of joining counts only when they were there from its first day.
    return 12 - joined.month + (1 if joined.day == 1 else 0)


def score_items(
    items: Sequence[Item], sums: dict[str, int], floor: Decimal | None
) -> tuple[int, int, dict[str, int]]:
    """``(total_c, quality_c, capped)`` of one subject from its raw sums per item code."""
    capped = {item.code: item.clamp_c(sums[item.code]) for item in items if item.code in sums}
    total = sum(capped.values())
    if floor is not None:
        total = max(total, round_half_up(Fraction(Decimal(floor) * 100)))
    quality = sum(
        capped[item.code] for item in items if item.kind == "quality" and item.code in capped
    )
    return total, quality, capped


async def _sums(
    session: AsyncSession, *, year: int, subject_kind: str, ids: Sequence[int] | None
) -> dict[int, dict[str, tuple[int, int]]]:
    """Raw ``(points_c, lines)`` per subject and item (one GROUP BY on the covering index)."""
    stmt = (
        select(
            col(AssessmentLine.subject_id),
            col(AssessmentLine.item_code),
            func.sum(AssessmentLine.points_c),
            func.count(),
        )
        .where(col(AssessmentLine.year) == year, col(AssessmentLine.subject_kind) == subject_kind)
        .group_by(col(AssessmentLine.subject_id), col(AssessmentLine.item_code))
    )
    if ids is not None:
        stmt = stmt.where(col(AssessmentLine.subject_id).in_(ids))
    found: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for subject_id, code, points, lines in (await session.execute(stmt)).all():
        found[subject_id][code] = (int(points), int(lines))
    return found


async def _write(
    session: AsyncSession, *, year: int, rows: list[dict[str, Any]], replace_all: bool, kind: str
) -> None:
    if replace_all:
        await session.execute(
            delete(AssessmentTotal).where(
                col(AssessmentTotal.year) == year, col(AssessmentTotal.subject_kind) == kind
            )
        )
        if rows:
            await session.execute(insert(TOTAL), rows)
        return
    await upsert_many(
        session, TOTAL, rows, ["year", "subject_kind", "subject_id"], update_columns=UPDATED
    )


def expected_place(
    rules: AssessmentRules,
    *,
    year: int,
    group: str,
    office: bool,
    status: str,
    joined: dt.date,
) -> tuple[str, bool]:
    """The group code and ``ranked`` flag a member's total should carry this year."""
    rule = rules.group_of(group, office)
    ranked = (
        status == MemberStatus.ACTIVE
        and rule is not None
        and months_served(joined, year) >= rules.min_months_served
    )
    return (rule.code if rule is not None else "", ranked)


async def recount_members(
    session: AsyncSession,
    *,
    year: int,
    rules: AssessmentRules,
    tz: dt.tzinfo,
    now: dt.datetime,
    member_ids: Sequence[int] | None = None,
) -> int:
    """Recount the totals of these members (every member when None); return rows written."""
    stmt = select(
        col(Member.id),
        col(Member.assessment_group),
        col(Member.office),
        col(Member.status),
        col(Member.created_at),
        col(Member.term),
    )
    if member_ids is not None:
        if not member_ids:
            return 0
        stmt = stmt.where(col(Member.id).in_(member_ids))
    members = (await session.execute(stmt)).all()
    sums = await _sums(session, year=year, subject_kind=MEMBER, ids=member_ids)
    absent_items = {i.code for i in rules.member_items if i.source.attendance == "absent"}
    rows = []
    for member_id, group, office, status, created_at, term in members:
        mine = sums.get(member_id or 0, {})
        total, quality, _capped = score_items(
            rules.member_items, {code: p for code, (p, _n) in mine.items()}, rules.total_floor
        )
        group_code, ranked = expected_place(
            rules,
            year=year,
            group=group,
            office=bool(office),
            status=status,
            joined=joined_on(created_at, term, tz),
        )
        rows.append(
            {
                "year": year,
                "subject_kind": MEMBER,
                "subject_id": member_id,
                "group_code": group_code,
                "ranked": ranked,
                "total_c": total,
                "quality_c": quality,
                "absences": sum(n for code, (_p, n) in mine.items() if code in absent_items),
                "fingerprint": rules.fingerprint,
                "updated_at": now,
            }
        )
    await _write(session, year=year, rows=rows, replace_all=member_ids is None, kind=MEMBER)
    return len(rows)


def sector_group(rules: AssessmentRules, code: str, group_no: int) -> str:
    """The ranking group of a sector: the one listing its code, else the one of its group_no."""
    listed = next((g for g in rules.sector_groups if code in g.sectors), None)
    if listed is None:
        listed = next(
            (g for g in rules.sector_groups if not g.sectors and g.group == group_no), None
        )
    return listed.code if listed is not None else ""


async def _drawn_lines(
    session: AsyncSession,
    *,
    year: int,
    rules: AssessmentRules,
    tz: dt.tzinfo | None,
    sector_ids: Sequence[int] | None,
    attendance: bool,
) -> None:
    """Rewrite the sectors' ``members`` lines (and ``attendance`` lines when asked)."""
    kinds = [k for k in DRAWN if attendance or k != "attendance"]
    items = [i for i in rules.sector_items if i.source.origin in kinds]
    gone = delete(AssessmentLine).where(
        col(AssessmentLine.year) == year,
        col(AssessmentLine.subject_kind) == SECTOR,
        col(AssessmentLine.source_kind).in_(kinds),
    )
    if sector_ids is not None:
        gone = gone.where(col(AssessmentLine.subject_id).in_(sector_ids))
    await session.execute(gone)
    if not items:
        return
    averages: dict[int, Fraction] = {}
    stmt = (
        select(col(Member.sector_id), func.sum(AssessmentTotal.total_c), func.count())
        .join(Member, col(Member.id) == col(AssessmentTotal.subject_id))
        .where(
            col(AssessmentTotal.year) == year,
            col(AssessmentTotal.subject_kind) == MEMBER,
            col(AssessmentTotal.ranked).is_(True),
        )
        .group_by(col(Member.sector_id))
    )
    if sector_ids is not None:
        stmt = stmt.where(col(Member.sector_id).in_(sector_ids))
    for sector_id, total, count in (await session.execute(stmt)).all():
        averages[sector_id] = Fraction(int(total), int(count))
    rates: dict[int, Fraction] = {}
    if any(i.source.origin == "attendance" for i in items):
        if tz is None:
            raise ValueError("the sectors' attendance needs the committee's time zone")
        only = sector_ids[0] if sector_ids is not None and len(sector_ids) == 1 else None
        figures = await sector_attendance(
            session, year=year, tz=tz, undecided_leave=rules.undecided_leave, sector_id=only
        )
        for sector_id, one in figures.items():
            if one.invited and (sector_ids is None or sector_id in sector_ids):
                rates[sector_id] = Fraction(one.attended, one.invited)
    rows = []
    for item in items:
        # units: the average in hundredths of a point, or the rate in hundredths (percent).
        members = item.source.origin == "members"
        values = averages if members else rates
        for sector_id, value in values.items():
            units = round_half_up(value if members else value * 100)
            # average × points per point, or rate × points
            points = round_half_up(
                value * item.points_c() / 100 if members else value * item.points_c()
            )
            rows.append(
                {
                    "year": year,
                    "subject_kind": SECTOR,
                    "subject_id": sector_id,
                    "item_code": item.code,
                    "source_kind": item.source.origin,
                    "source_id": 0,
                    "occurred_on": dt.date(year, 12, 31),
                    "units_c": units,
                    "points_c": points,
                    "fingerprint": rules.fingerprint,
                }
            )
    if rows:
        await session.execute(insert(LINE), rows)


async def recount_sectors(
    session: AsyncSession,
    *,
    year: int,
    rules: AssessmentRules,
    tz: dt.tzinfo | None,
    now: dt.datetime,
    sector_ids: Sequence[int] | None = None,
    attendance: bool = True,
) -> int:
    """Recount these sectors (every one when None), after their members' totals changed."""
    if sector_ids is not None and not sector_ids:
        return 0
    await _drawn_lines(
        session, year=year, rules=rules, tz=tz, sector_ids=sector_ids, attendance=attendance
    )
    stmt = select(col(Sector.id), col(Sector.code), col(Sector.group_no))
    if sector_ids is not None:
        stmt = stmt.where(col(Sector.id).in_(sector_ids))
    sectors = (await session.execute(stmt)).all()
    sums = await _sums(session, year=year, subject_kind=SECTOR, ids=sector_ids)
    rows = []
    for sector_id, code, group_no in sectors:
        mine = {c: p for c, (p, _n) in sums.get(sector_id or 0, {}).items()}
        total, quality, _capped = score_items(rules.sector_items, mine, rules.total_floor)
        rows.append(
            {
                "year": year,
                "subject_kind": SECTOR,
                "subject_id": sector_id,
                "group_code": sector_group(rules, code, group_no),
                "ranked": True,
                "total_c": total,
                "quality_c": quality,
                "absences": 0,
                "fingerprint": rules.fingerprint,
                "updated_at": now,
            }
        )
    await _write(session, year=year, rows=rows, replace_all=sector_ids is None, kind=SECTOR)
    return len(rows)


async def sectors_of(session: AsyncSession, member_ids: Iterable[int]) -> list[int]:
    """The sectors of these members."""
    ids = sorted(set(member_ids))
    if not ids:
        return []
    rows = await session.execute(
        select(col(Member.sector_id)).where(col(Member.id).in_(ids)).distinct()
    )
    return sorted(rows.scalars())
