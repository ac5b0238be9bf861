"""The roster against the minimums for a quarter: one row per member, and totals by group."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.calendar import Quarter
from services.members.rules import Rules
from services.members.tallies import (
    SLOT_COLUMNS,
    meeting_six_ones,
    meeting_window,
    rebuild_year,
    tallies_are_current,
)
from services.proposals.six_ones import proposal_six_ones
from storage.db import write_transaction
from storage.enums import MemberStatus
from storage.models import ActivityTally, Member, Sector


@dataclass(frozen=True, slots=True)
class MemberQuarterRow:
    """One member's figures for a quarter."""

    member_id: int
    code: str
    name: str
    sector: Sector
    group: str
    status: str
    quarter_activities: int
    qualifying: int
    quarter_person_times: int
    year_person_times: int
    six_ones_done: int
    quarter_minimum: int
    year_expected: int
    year_minimum: int

    @property
    def quarter_met(self) -> bool:
        """At least the quarterly minimum of qualifying activities."""
        return self.qualifying >= self.quarter_minimum

    @property
    def year_on_pace(self) -> bool:
        """Person-times so far at least the share of the yearly minimum due by quarter end."""
        return self.year_person_times >= self.year_expected


@dataclass(frozen=True)
class GroupTotals:
    """How many active members of a sector or group met the quarter's minimum."""

    members: int
    met: int

    @property
    def short(self) -> int:
        """Members who did not."""
        return self.members - self.met


async def ensure_tallies(session: AsyncSession, *, year: int, rules: Rules) -> None:
    """Recount a year's tallies if the rules that counted them have changed since."""
    if not await tallies_are_current(session, year=year, rules=rules):
        async with write_transaction(session):
            await rebuild_year(session, year=year, rules=rules)


async def quarter_compliance(
    session: AsyncSession, *, quarter: Quarter, rules: Rules, tz: dt.tzinfo = dt.UTC
) -> list[MemberQuarterRow]:
    """Every member not gone from the roster, with the quarter's and the year's figures.

    The six ones done count the year's activities up to the quarter's end and the meetings
    attended by then (``tz``, the committee's zone, decides which day a meeting falls on).
    """
    await ensure_tallies(session, year=quarter.year, rules=rules)
    tally = ActivityTally

    def this_quarter(column: str) -> ColumnElement[Any]:
        return func.coalesce(
            func.sum(case((col(tally.quarter) == quarter.number, getattr(tally, column)), else_=0)),
            0,
        )

    used_slots = SLOT_COLUMNS[: len(rules.six_ones)]
    # One flag per six one, so a meeting attended can fill a slot no activity filled.
    slot_flags = [case((func.max(getattr(tally, column)) > 0, 1), else_=0) for column in used_slots]
    stmt = (
        select(
            col(Member.id),
            col(Member.code),
            col(Member.name),
            col(Member.sector_id),
            col(Member.assessment_group),
            col(Member.status),
            this_quarter("activities"),
            this_quarter("qualifying"),
            this_quarter("person_times"),
            func.coalesce(func.sum(tally.person_times), 0),
            *slot_flags,
        )
        .outerjoin(
            tally,
            (col(tally.member_id) == col(Member.id))
            & (col(tally.year) == quarter.year)
            & (col(tally.quarter) <= quarter.number),
        )
        .where(col(Member.status) != MemberStatus.LEFT)
        .group_by(col(Member.id))
        .order_by(col(Member.sector_id), col(Member.code))
    )
    sectors = {s.id: s for s in (await session.execute(select(Sector))).scalars()}
    year_expected = round(rules.year_minimum_person_times * quarter.number / 4)
    start, end = meeting_window(quarter.year, quarter.end, tz)
    attended = await meeting_six_ones(session, rules=rules, start=start, end=end)
    proposed = await proposal_six_ones(session, rules=rules, year=quarter.year, until=quarter.end)
    result = []
    # Core, not the ORM: five thousand plain rows need no identity map or entity loading.
    connection = await session.connection()
    for row in (await connection.execute(stmt)).all():
        member_id, code, name, sector_id, group, status, total, qualifying, people, ytd = row[:10]
        slots = {index for index, flag in enumerate(row[10:]) if flag}
        done = len(slots | attended.get(member_id, set()) | proposed.get(member_id, set()))
        result.append(
            MemberQuarterRow(
                member_id=member_id,
                code=code,
                name=name,
                sector=sectors[sector_id],
                group=group,
                status=status,
                quarter_activities=int(total),
                qualifying=int(qualifying),
                quarter_person_times=int(people),
                year_person_times=int(ytd),
                six_ones_done=int(done),
                quarter_minimum=rules.quarter_minimum_activities,
                year_expected=year_expected,
                year_minimum=rules.year_minimum_person_times,
            )
        )
    return result


def short_of_minimum(rows: list[MemberQuarterRow]) -> list[MemberQuarterRow]:
    """Active members who have not met the quarter's minimum, in report order."""
    return [row for row in rows if row.status == MemberStatus.ACTIVE and not row.quarter_met]


def totals_by(rows: list[MemberQuarterRow], key: str) -> dict[str, GroupTotals]:
    """Active members and how many met the quarter's minimum, by ``"sector"`` or ``"group"``."""
    members: Counter[str] = Counter()
    met: Counter[str] = Counter()
    for row in rows:
        if row.status != MemberStatus.ACTIVE:
            continue
        name = row.sector.code if key == "sector" else row.group
        members[name] += 1
        met[name] += row.quarter_met
    return {name: GroupTotals(members[name], met[name]) for name in members}
