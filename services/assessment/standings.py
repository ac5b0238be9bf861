"""A year's standings: every member group and sector group ranked, with the pool of each.

An open year is ranked live from ``assessment_total`` under the year's rules file. A closed or
published year is read from ``assessment_result`` with the rules snapshot it was closed with,
so editing the file later changes nothing of it. Either way the rows come from
:func:`services.assessment.ranking.rank_group`, so one member's rank is the same here, in the
workbook, in the notices and in the command line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.config import AssessmentRules, parse_fraction
from services.assessment.ledger import ensure_ledger
from services.assessment.ranking import Candidate, RankedRow, TieNote, cut_size, rank_group
from services.assessment.rates import Presence, presence
from services.errors import DomainError
from services.members.rules import Rules
from storage.db import write_transaction
from storage.models import AssessmentResult, AssessmentTotal, AssessmentYear, Member

MEMBER = "member"
SECTOR = "sector"
OPEN, CLOSED, PUBLISHED = "open", "closed", "published"


@dataclass(frozen=True)
class GroupStanding:
    """One group's ranking: its rows (ranked first, then unranked) and the size of its cut."""

    subject_kind: str
    code: str
    name_zh: str
    name_en: str
    fraction: Fraction
    cut: int
    rows: tuple[RankedRow, ...]

    @property
    def size(self) -> int:
        """How many are ranked in the group."""
        return sum(1 for row in self.rows if row.ranked)

    def name(self, locale: str) -> str:
        """The group's name in ``locale``."""
        return self.name_zh if locale.startswith("zh") else self.name_en


@dataclass(frozen=True)
class Decision:
    """What followed the close for one subject: a committee's recommendation, the decision."""

    recommended_by: int | None = None
    excellent: bool | None = None


@dataclass(frozen=True)
class YearStandings:
    """Every group of a year, the year's state, the rules it is ranked under."""

    year: int
    state: str
    rules: AssessmentRules
    rules_version: int
    members: tuple[GroupStanding, ...]
    sectors: tuple[GroupStanding, ...]
    decisions: dict[tuple[str, int], Decision] = field(default_factory=dict)

    def group(self, code: str) -> GroupStanding | None:
        """A member or sector group by its code."""
        return next((g for g in (*self.members, *self.sectors) if g.code == code), None)

    def place(self, subject_kind: str, subject_id: int) -> tuple[GroupStanding, RankedRow] | None:
        """A subject's group and row."""
        groups = self.members if subject_kind == MEMBER else self.sectors
        for group in groups:
            for row in group.rows:
                if row.subject_id == subject_id:
                    return group, row
        return None

    def decision(self, subject_kind: str, subject_id: int) -> Decision:
        """The recommendation and decision of a subject (none while the year is open)."""
        return self.decisions.get((subject_kind, subject_id), Decision())


def assessment_rules(rules: Rules) -> AssessmentRules:
    """The year's ``[assessment]`` section; refused when the year's file has none."""
    if rules.assessment is None:
        raise DomainError("no_assessment", year=rules.year)
    return rules.assessment


async def year_row(session: AsyncSession, year: int) -> AssessmentYear | None:
    """The year's life-cycle row; None while nobody closed it (it is open)."""
    return await session.get(AssessmentYear, year)


async def ensure_current(session: AsyncSession, *, year: int, rules: Rules, tz: dt.tzinfo) -> None:
    """Bring the year's ledger and totals up to date with its rules before they are read.

    A year counted under other rules (its file changed) is recounted; newcomers get a total.
    It writes in a write transaction of its own, so call it before opening one.
    """
    async with write_transaction(session):
        await ensure_ledger(session, year=year, rules=rules, tz=tz)


async def year_standings(
    session: AsyncSession, *, year: int, rules: Rules, tz: dt.tzinfo, ensure: bool = True
) -> YearStandings:
    """The standings of ``year``: frozen results once closed, else ranked live from totals.

    ``ensure=False`` inside a write transaction whose caller brought the ledger up to date.
    """
    known = await year_row(session, year)
    if known is not None and known.state != OPEN:
        return await _frozen(session, known)
    section = assessment_rules(rules)
    if ensure:
        await ensure_current(session, year=year, rules=rules, tz=tz)
    totals = (
        (await session.execute(select(AssessmentTotal).where(col(AssessmentTotal.year) == year)))
        .scalars()
        .all()
    )
    rates: dict[int, Presence] = {}
    if section.tie_rule == "break_by" and "attendance_rate" in section.tie_breakers:
        rates = await presence(session, year=year, tz=tz)
    sector_rates = await _sector_rates(session, rates) if rates else {}
    members, sectors = _split(totals)
    return YearStandings(
        year=year,
        state=OPEN,
        rules=section,
        rules_version=rules.version,
        members=tuple(
            _rank(MEMBER, code, zh, en, fraction, members.get(code, []), section, rates)
            for code, zh, en, fraction in _member_groups(section, members)
        ),
        sectors=tuple(
            _rank(SECTOR, code, zh, en, fraction, sectors.get(code, []), section, sector_rates)
            for code, zh, en, fraction in _sector_groups(section, sectors)
        ),
    )


async def closed_standings(session: AsyncSession, *, year: int) -> YearStandings:
    """The frozen standings of a closed or published year; refused while it is open."""
    known = await year_row(session, year)
    if known is None or known.state == OPEN:
        raise DomainError("year_not_closed", year=year)
    return await _frozen(session, known)


def _split(
    totals: Sequence[AssessmentTotal],
) -> tuple[dict[str, list[AssessmentTotal]], dict[str, list[AssessmentTotal]]]:
    members: dict[str, list[AssessmentTotal]] = defaultdict(list)
    sectors: dict[str, list[AssessmentTotal]] = defaultdict(list)
    for total in totals:
        (members if total.subject_kind == MEMBER else sectors)[total.group_code].append(total)
    return members, sectors


def _member_groups(
    section: AssessmentRules, present: Collection[str]
) -> list[tuple[str, str, str, Fraction]]:
    groups = [
        (g.code, g.name_zh, g.name_en, section.pool_fraction_of(g)) for g in section.member_groups
    ]
    # A group the totals name but the file no longer does is still shown, at the default cut.
    default = parse_fraction(section.pool_fraction)
    known = {code for code, *_rest in groups}
    groups += [(code, code, code, default) for code in sorted(present) if code not in known]
    return groups


def _sector_groups(
    section: AssessmentRules, present: Collection[str]
) -> list[tuple[str, str, str, Fraction]]:
    fraction = parse_fraction(section.recommend_fraction)
    groups = [(g.code, g.name_zh, g.name_en, fraction) for g in section.sector_groups]
    known = {code for code, *_rest in groups}
    groups += [(code, code, code, fraction) for code in sorted(present) if code not in known]
    return groups


def _rank(
    kind: str,
    code: str,
    name_zh: str,
    name_en: str,
    fraction: Fraction,
    totals: list[AssessmentTotal],
    section: AssessmentRules,
    rates: dict[int, Presence],
) -> GroupStanding:
    candidates = [
        Candidate(
            subject_id=t.subject_id,
            total_c=t.total_c,
            ranked=t.ranked,
            quality_c=t.quality_c,
            attendance=rates.get(t.subject_id, Presence()).rate,
            absences=t.absences,
        )
        for t in totals
    ]
    rows = rank_group(
        candidates,
        fraction=fraction,
        rounding=section.rounding,
        tie_rule=section.tie_rule,
        tie_breakers=section.tie_breakers,
    )
    size = sum(1 for c in candidates if c.ranked)
    cut = cut_size(size, fraction, section.rounding)
    return GroupStanding(kind, code, name_zh, name_en, fraction, cut, tuple(rows))


async def _sector_rates(session: AsyncSession, rates: dict[int, Presence]) -> dict[int, Presence]:
    """Each sector's members' invitations and attendance, summed."""
    pairs = (await session.execute(select(col(Member.id), col(Member.sector_id)))).all()
    sums: dict[int, Presence] = defaultdict(Presence)
    for member_id, sector_id in pairs:
        assert member_id is not None
        sums[sector_id] = sums[sector_id] + rates.get(member_id, Presence())
    return dict(sums)


async def _frozen(session: AsyncSession, known: AssessmentYear) -> YearStandings:
    """A closed year, from its results and its rules snapshot."""
    section = AssessmentRules.model_validate_json(known.rules_snapshot)
    results = (
        (
            await session.execute(
                select(AssessmentResult).where(col(AssessmentResult.year) == known.year)
            )
        )
        .scalars()
        .all()
    )
    by_group: dict[tuple[str, str], list[AssessmentResult]] = defaultdict(list)
    for result in results:
        by_group[(result.subject_kind, result.group_code)].append(result)

    def frozen(kind: str, code: str, zh: str, en: str, fraction: Fraction) -> GroupStanding:
        mine = by_group.get((kind, code), [])
        # The stored order is the ranking's: ranked by rank, then unranked, ties by id.
        mine.sort(key=lambda r: (not r.ranked, r.rank or 0, -r.total_c, r.subject_id))
        rows = tuple(
            RankedRow(
                subject_id=r.subject_id,
                total_c=r.total_c,
                ranked=r.ranked,
                rank=r.rank,
                in_pool=r.in_pool,
                tie=TieNote.decode(r.tie_note),
            )
            for r in mine
        )
        size = sum(1 for r in mine if r.ranked)
        cut = cut_size(size, fraction, section.rounding)
        return GroupStanding(kind, code, zh, en, fraction, cut, rows)

    members = {code for kind, code in by_group if kind == MEMBER}
    sectors = {code for kind, code in by_group if kind == SECTOR}
    return YearStandings(
        year=known.year,
        state=known.state,
        rules=section,
        rules_version=known.rules_version or 0,
        members=tuple(frozen(MEMBER, *g) for g in _member_groups(section, members)),
        sectors=tuple(frozen(SECTOR, *g) for g in _sector_groups(section, sectors)),
        decisions={
            (r.subject_kind, r.subject_id): Decision(r.recommended_by_committee_id, r.excellent)
            for r in results
        },
    )
