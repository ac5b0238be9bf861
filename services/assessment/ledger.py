"""Keeping the ledger in step: the year's rebuild, the staleness check, incremental refreshes.

The ledger is derived data. ``rebuild_year`` rewrites a year from the records (after the
year's rules file changed: ``ensure_ledger`` compares the fingerprints the totals were
counted under with the file's, two index look-ups); the refreshes re-derive what one
record or one member contributes, inside the caller's transaction, with the same
statements (:mod:`services.assessment.sources`), so incremental and bulk agree by
construction. A closed or published year is frozen: none of these touch it, and
:func:`check_open` refuses changes to records dated in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.config import AssessmentRules
from services.assessment.drift import drifted_members
from services.assessment.sources import (
    KINDS_OF_SOURCE,
    MEMBER,
    SECTOR,
    Scope,
    write_lines,
)
from services.assessment.totals import recount_members, recount_sectors, sectors_of
from services.clock import SystemClock
from services.errors import DomainError
from services.members.rules import RuleBook, Rules
from storage.models import AssessmentLine, AssessmentTotal, AssessmentYear, Member

FROZEN_STATES = ("closed", "published")


def _now(now: dt.datetime | None) -> dt.datetime:
    # Callers pass their clock's "now"; the wall clock only stamps a bare CLI rebuild.
    return now if now is not None else SystemClock().now()


async def is_frozen(session: AsyncSession, *, year: int) -> bool:
    """Whether the year's assessment is closed or published (its ledger is the record)."""
    state = (
        await session.execute(
            select(col(AssessmentYear.state)).where(col(AssessmentYear.year) == year)
        )
    ).scalar_one_or_none()
    return state in FROZEN_STATES


async def check_open(session: AsyncSession, *, years: Iterable[int]) -> None:
    """Refuse a change to a record dated in a closed or published year."""
    for year in sorted(set(years)):
        if await is_frozen(session, year=year):
            raise DomainError("year_closed", year=year)


def _assessment(rules: Rules) -> AssessmentRules | None:
    return rules.assessment


async def rebuild_year(
    session: AsyncSession,
    *,
    year: int,
    rules: Rules,
    tz: dt.tzinfo,
    now: dt.datetime | None = None,
) -> int:
    """Rewrite every line and total of an open year from the records; return the lines.

    Runs inside the caller's transaction; nothing for a frozen year or a year without an
    assessment section.
    """
    assessment = _assessment(rules)
    if assessment is None or await is_frozen(session, year=year):
        return 0
    stamp = _now(now)
    await session.execute(delete(AssessmentLine).where(col(AssessmentLine.year) == year))
    await write_lines(session, Scope(year=year, rules=assessment, tz=tz))
    await recount_members(session, year=year, rules=assessment, tz=tz, now=stamp)
    await recount_sectors(session, year=year, rules=assessment, tz=tz, now=stamp)
    lines = (
        await session.execute(
            select(func.count()).select_from(AssessmentLine).where(col(AssessmentLine.year) == year)
        )
    ).scalar_one()
    return int(lines)


async def ledger_is_current(session: AsyncSession, *, year: int, rules: Rules) -> bool:
    """Whether every total of the year was counted under these rules (min = max = the file's)."""
    assessment = _assessment(rules)
    if assessment is None:
        return True
    in_year = col(AssessmentTotal.year) == year
    lowest = (
        await session.execute(select(func.min(AssessmentTotal.fingerprint)).where(in_year))
    ).scalar_one()
    if lowest is None:
        return False
    highest = (
        await session.execute(select(func.max(AssessmentTotal.fingerprint)).where(in_year))
    ).scalar_one()
    return bool(lowest == highest == assessment.fingerprint)


async def ensure_ledger(
    session: AsyncSession,
    *,
    year: int,
    rules: Rules,
    tz: dt.tzinfo,
    now: dt.datetime | None = None,
) -> bool:
    """Rebuild an open year counted under other rules, and give newcomers a total.

    Returns whether the year was rebuilt. Call it before reading a year's ledger.
    """
    assessment = _assessment(rules)
    if assessment is None or await is_frozen(session, year=year):
        return False
    if not await ledger_is_current(session, year=year, rules=rules):
        await rebuild_year(session, year=year, rules=rules, tz=tz, now=now)
        return True
    # Members added to the roster since (a zero total: they have no record yet to count), and
    # members whose group, office flag or status changed since their total was counted.
    has_total = select(col(AssessmentTotal.subject_id)).where(
        col(AssessmentTotal.year) == year, col(AssessmentTotal.subject_kind) == MEMBER
    )
    found = await session.execute(select(col(Member.id)).where(col(Member.id).not_in(has_total)))
    changed = [member_id or 0 for member_id in found.scalars()]
    changed += await drifted_members(session, year=year, rules=assessment, tz=tz)
    if changed:
        await recount_members(
            session, year=year, rules=assessment, tz=tz, now=_now(now), member_ids=changed
        )
        # A sector's figures are drawn from its ranked members.
        await recount_sectors(session, year=year, rules=assessment, tz=tz, now=_now(now))
    return False


async def refresh_member(
    session: AsyncSession,
    *,
    member_id: int,
    year: int,
    rules: Rules,
    tz: dt.tzinfo,
    now: dt.datetime | None = None,
) -> None:
    """Re-derive one member's lines and total of an open year, and their sector's figures.

    For a change of the member's roster data (group, office, status) or a repair.
    """
    assessment = _assessment(rules)
    if assessment is None or await is_frozen(session, year=year):
        return
    stamp = _now(now)
    await session.execute(
        delete(AssessmentLine).where(
            col(AssessmentLine.year) == year,
            col(AssessmentLine.subject_kind) == MEMBER,
            col(AssessmentLine.subject_id) == member_id,
        )
    )
    await write_lines(session, Scope(year=year, rules=assessment, tz=tz, member_id=member_id))
    await recount_members(
        session, year=year, rules=assessment, tz=tz, now=stamp, member_ids=[member_id]
    )
    await recount_sectors(
        session,
        year=year,
        rules=assessment,
        tz=tz,
        now=stamp,
        sector_ids=await sectors_of(session, [member_id]),
    )


async def _subjects(
    session: AsyncSession, *, year: int, kinds: tuple[str, ...], source_id: int
) -> set[tuple[str, int]]:
    rows = await session.execute(
        select(col(AssessmentLine.subject_kind), col(AssessmentLine.subject_id))
        .where(
            col(AssessmentLine.year) == year,
            col(AssessmentLine.source_kind).in_(kinds),
            col(AssessmentLine.source_id) == source_id,
        )
        .distinct()
    )
    return {(kind, subject) for kind, subject in rows.all()}


async def refresh_source(
    session: AsyncSession,
    *,
    source_kind: str,
    source_id: int,
    year: int,
    rules: Rules,
    tz: dt.tzinfo | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Re-derive the lines one record gives in an open year, then the totals they touch.

    ``source_kind``: ``activity``, ``invitation`` (``source_id`` a meeting: every invitation
    of it, after the meeting closed), ``report``, ``proposal`` (its co-signers too) or
    ``entry``. ``tz`` is needed for reports and invitations. A record that moved to another
    year is refreshed in both years.
    """
    assessment = _assessment(rules)
    if assessment is None or await is_frozen(session, year=year):
        return
    stamp = _now(now)
    kinds = KINDS_OF_SOURCE.get(source_kind, (source_kind,))
    touched = await _subjects(session, year=year, kinds=kinds, source_id=source_id)
    await session.execute(
        delete(AssessmentLine).where(
            col(AssessmentLine.year) == year,
            col(AssessmentLine.source_kind).in_(kinds),
            col(AssessmentLine.source_id) == source_id,
        )
    )
    scope = Scope(year=year, rules=assessment, tz=tz, source_kind=source_kind, source_id=source_id)
    await write_lines(session, scope)
    touched |= await _subjects(session, year=year, kinds=kinds, source_id=source_id)
    members = sorted(subject for kind, subject in touched if kind == MEMBER)
    sectors = {subject for kind, subject in touched if kind == SECTOR}
    await recount_members(
        session, year=year, rules=assessment, tz=tz or dt.UTC, now=stamp, member_ids=members
    )
    sectors.update(await sectors_of(session, members))
    await recount_sectors(
        session,
        year=year,
        rules=assessment,
        tz=tz,
        now=stamp,
        sector_ids=sorted(sectors),
        attendance=source_kind == "invitation",
    )


async def refresh_years(
    session: AsyncSession,
    *,
    source_kind: str,
    source_id: int,
    years: Iterable[int],
    rulebook: RuleBook,
    tz: dt.tzinfo | None = None,
    now: dt.datetime | None = None,
) -> None:
    """:func:`refresh_source` in each of ``years``, each under its own year's rules."""
    for year in sorted(set(years)):
        await refresh_source(
            session,
            source_kind=source_kind,
            source_id=source_id,
            year=year,
            rules=rulebook.for_year(year),
            tz=tz,
            now=now,
        )


__all__ = [
    "check_open",
    "ensure_ledger",
    "is_frozen",
    "ledger_is_current",
    "rebuild_year",
    "refresh_member",
    "refresh_source",
    "refresh_years",
]
