"""What the year's steps read and say: the year's state, its pools, the refusals in words.

Plain functions over the database, so the dialog's handlers stay short. The year's
``token`` names everything a step's card was drawn for (the state, the close, the
recommendations, the decision): a press on a card whose token is no longer the year's is
out of date and is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.ranking import points_text
from services.assessment.standings import CLOSED, MEMBER, OPEN, SECTOR, year_row
from services.errors import DomainError
from services.reference.catalog import display_name
from services.translation import N_
from storage.models import AssessmentResult, Member, Sector, SpecialCommittee

# The command line's words for the same refusals (one msgid, one translation).
_REFUSED = {
    "no_assessment": N_("The rules of {year} have no [assessment] section."),
    "year_empty": N_("Nothing was counted for {year}: there is nothing to close."),
    "year_future": N_("{year} has not begun: only a year under way or past can be closed."),
    "year_closed": N_("{year} is already closed."),
    "year_not_closed": N_("{year} is not closed: close it first."),
    "year_published": N_("{year} is already published; it cannot change any more."),
    "not_decided": N_("The decision on {year} is not recorded yet."),
}


def refusal_text(error: DomainError, year: int) -> str:
    """A service's refusal in the reader's words (a code we have no words for is named)."""
    template = _REFUSED.get(error.code)
    if template is None:
        return _("Refused: {code}").format(code=error.code)
    return _(template).format(year=year)


@dataclass(frozen=True)
class YearState:
    """A year as its steps see it: the state and the pools' results."""

    year: int
    state: str
    closed_at: dt.datetime | None
    members: tuple[AssessmentResult, ...]
    sectors: tuple[AssessmentResult, ...]

    @property
    def decided(self) -> bool:
        """Whether the chairs' decision is recorded."""
        return any(r.decided_at is not None for r in (*self.members, *self.sectors))

    @property
    def recommended(self) -> int:
        """How many members of the pool some committee recommended."""
        return sum(1 for r in self.members if r.recommended_by_committee_id is not None)

    @property
    def token(self) -> str:
        """Everything a card was drawn for; any step taken since changes it."""
        recommended = sorted(
            (r.subject_id, r.recommended_by_committee_id or 0)
            for r in self.members
            if r.recommended_by_committee_id is not None
        )
        excellent = sorted((r.subject_kind, r.subject_id) for r in self.pool if r.excellent)
        closed = self.closed_at.isoformat() if self.closed_at else ""
        return f"{self.state}|{closed}|{self.decided}|{recommended}|{excellent}"

    @property
    def pool(self) -> tuple[AssessmentResult, ...]:
        """Members' then sectors' pool rows."""
        return (*self.members, *self.sectors)

    def in_pool(self, kind: str, subject_id: int) -> bool:
        """Whether ``subject_id`` is in the year's pool of ``kind``."""
        rows = self.members if kind == MEMBER else self.sectors
        return any(r.subject_id == subject_id for r in rows)


async def year_state(session: AsyncSession, year: int) -> YearState:
    """The year as it stands now (read afresh: a colleague may have acted since)."""
    known = await year_row(session, year)
    if known is not None:
        # A step taken in this session changed the row: read it as the database has it.
        await session.refresh(known)
    state = known.state if known is not None else OPEN
    rows: list[AssessmentResult] = []
    if state != OPEN:
        result = await session.execute(
            select(AssessmentResult)
            .where(col(AssessmentResult.year) == year, col(AssessmentResult.in_pool).is_(True))
            .order_by(col(AssessmentResult.group_code), col(AssessmentResult.rank))
            .execution_options(populate_existing=True)
        )
        rows = list(result.scalars())
    return YearState(
        year=year,
        state=state,
        closed_at=known.closed_at if known is not None else None,
        members=tuple(r for r in rows if r.subject_kind == MEMBER),
        sectors=tuple(r for r in rows if r.subject_kind == SECTOR),
    )


def state_text(year: YearState) -> str:
    """The steps' card: the year, its state, what is done and what is next."""
    lines = [_("<b>The year's steps · {year}</b>").format(year=year.year)]
    if year.state == OPEN:
        lines.append(_("The year is open: its records still count. Close it to freeze them."))
    elif year.state == CLOSED:
        lines.append(
            _("The year is closed. Pool: {members} members, {sectors} sectors.").format(
                members=len(year.members), sectors=len(year.sectors)
            )
        )
        lines.append(_("Recommended by the committees: {count}.").format(count=year.recommended))
        lines.append(
            _("The decision is recorded: it can be published.")
            if year.decided
            else _("No decision is recorded yet.")
        )
    else:
        lines.append(_("The year is published: it never changes again."))
    return "\n".join(lines)


async def committees(session: AsyncSession, locale: str) -> list[tuple[int, str]]:
    """The special committees as (id, name), in the office's order."""
    rows = await session.execute(
        select(SpecialCommittee).order_by(
            col(SpecialCommittee.sort_order), col(SpecialCommittee.id)
        )
    )
    zh = locale.startswith("zh")
    return [(c.id or 0, c.name_zh if zh else c.name_en) for c in rows.scalars()]


async def member_labels(
    session: AsyncSession, rows: tuple[AssessmentResult, ...], ticked: set[int]
) -> list[tuple[int, str]]:
    """Pool members as (id, "☑ ⭐ M001 name · points"): ticked, and recommended (⭐)."""
    labels = []
    for row in rows:
        member = await session.get(Member, row.subject_id)
        name = f"{member.code} {member.name}" if member else str(row.subject_id)
        box = "☑" if row.subject_id in ticked else "☐"
        star = " ⭐" if row.recommended_by_committee_id is not None else ""
        labels.append((row.subject_id, f"{box}{star} {name} · {points_text(row.total_c)}"))
    return labels


async def sector_labels(
    session: AsyncSession, rows: tuple[AssessmentResult, ...], ticked: set[int], locale: str
) -> list[tuple[int, str]]:
    """Pool sectors as (id, "☑ name · points")."""
    labels = []
    for row in rows:
        sector = await session.get(Sector, row.subject_id)
        name = display_name(sector, locale) if sector else str(row.subject_id)
        box = "☑" if row.subject_id in ticked else "☐"
        labels.append((row.subject_id, f"{box} {name} · {points_text(row.total_c)}"))
    return labels


def recommended_first(rows: tuple[AssessmentResult, ...]) -> tuple[AssessmentResult, ...]:
    """The recommended members first, each part in the pool's order."""
    return tuple(sorted(rows, key=lambda r: r.recommended_by_committee_id is None))
