"""The words of the yearly reports: attendance shares, and pages of the standings.

Plain functions over what the services return, so the dialog's getters stay short. Every
name from the database is escaped here, since the texts are HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.texts import escape
from services.assessment.attendance import ALL_KINDS
from services.assessment.ranking import RankedRow, points_text
from services.assessment.standings import MEMBER, GroupStanding, YearStandings
from services.assessment.types import AttendanceFigures
from services.reference.catalog import display_name
from services.reports.attendance_report import AttendanceReport, kind_label, share
from storage.models import Member, Sector

ROWS_PER_PAGE = 15


def figures_text(figures: AttendanceFigures) -> str:
    """Attended, excused and absent shares of the invitations counted."""
    return _(
        "attended {attended} · excused {excused} · absent {absent} ({invited} invited)"
    ).format(
        attended=share(figures.attended_share),
        excused=share(figures.excused_share),
        absent=share(figures.absent_share),
        invited=figures.invited,
    )


def office_text(report: AttendanceReport, year: int, locale: str) -> str:
    """The office's rate over every kind, then per meeting kind."""
    lines = [_("<b>Attendance in {year}</b>").format(year=year)]
    office = report.office
    if not office or office.get(ALL_KINDS, AttendanceFigures()).invited == 0:
        lines.append(_("No meeting closed yet this year."))
        return "\n".join(lines)
    kinds = sorted(office, key=lambda kind: (kind != ALL_KINDS, kind))
    for kind in kinds:
        label = escape(kind_label(kind, locale))
        lines.append(f"{label}: {figures_text(office[kind])}")
    return "\n".join(lines)


def members_page(report: AttendanceReport, page: int, per_page: int) -> str:
    """One page of members, the lowest attendance first (never invited at the end)."""
    shown = report.members[page * per_page : (page + 1) * per_page]
    lines = []
    for member in shown:
        total = member.total
        if total.invited:
            rate = _("{share} attended ({attended} of {invited})").format(
                share=share(total.attended_share), attended=total.attended, invited=total.invited
            )
        else:
            rate = _("no closed meeting")
        lines.append(f"{escape(member.code)} {escape(member.name)}: {rate}")
    return "\n".join(lines)


@dataclass(frozen=True)
class StandingsPage:
    """A page of the standings: some rows of one group."""

    group: GroupStanding
    rows: tuple[RankedRow, ...]


def standings_pages(standings: YearStandings, per_page: int = ROWS_PER_PAGE) -> list[StandingsPage]:
    """Every group (members first, then sectors), cut into pages of ``per_page`` rows."""
    pages = []
    for group in (*standings.members, *standings.sectors):
        rows = group.rows or ()
        for start in range(0, max(len(rows), 1), per_page):
            pages.append(StandingsPage(group, rows[start : start + per_page]))
    return pages


def state_word(state: str) -> str:
    """A year's state in words."""
    return {"open": _("open"), "closed": _("closed"), "published": _("published")}.get(state, state)


async def page_text(
    session: AsyncSession, standings: YearStandings, page: StandingsPage, locale: str
) -> str:
    """A page: the year, the group's name, ranked count and pool, then its rows."""
    group = page.group
    kind = _("members") if group.subject_kind == MEMBER else _("sectors")
    lines = [
        _("<b>Standings {year}</b> ({state}, rules version {version})").format(
            year=standings.year, state=state_word(standings.state), version=standings.rules_version
        ),
        _("<b>{group}</b> · {kind}: {size} ranked, pool of {cut}").format(
            group=escape(group.name(locale)), kind=kind, size=group.size, cut=group.cut
        ),
    ]
    if not page.rows:
        lines.append(_("Nobody in this group."))
    for row in page.rows:
        code, name = await _who(session, group.subject_kind, row.subject_id, locale)
        rank = str(row.rank) if row.rank is not None else "–"
        pool = " · " + _("in the pool") if row.in_pool else ""
        tie = f" · <i>{escape(row.tie_note)}</i>" if row.tie_note else ""
        total = points_text(row.total_c)
        lines.append(f"{rank}. {escape(code)} {escape(name)} · {total}{pool}{tie}")
    return "\n".join(lines)


async def _who(session: AsyncSession, kind: str, subject_id: int, locale: str) -> tuple[str, str]:
    """A row's code and name (the session's identity map keeps repeated reads cheap)."""
    if kind == MEMBER:
        member = await session.get(Member, subject_id)
        return (member.code, member.name) if member else ("", str(subject_id))
    sector = await session.get(Sector, subject_id)
    return (sector.code, display_name(sector, locale)) if sector else ("", str(subject_id))
