"""A year's duty assessment as an XLSX workbook: totals, each group's ranking, sectors, ledger.

Every sheet carries the rules version in a column (like the quarter's minimums), so a file
passed around can be traced to the rules that counted it. Points are written as numbers of
points (hundredths divided out) so the office can sort and sum them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.ranking import RankedRow
from services.assessment.standings import MEMBER, SECTOR, GroupStanding, YearStandings
from services.reference.catalog import display_name
from services.reports.workbook import Table, workbook
from services.translation import gettext as _
from storage.models import AssessmentLine, Member, Sector


def _points(value_c: int) -> float:
    return value_c / 100


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


async def assessment_workbook(
    session: AsyncSession, *, standings: YearStandings, locale: str
) -> bytes:
    """The workbook of ``standings`` (live or frozen), headers in the current language."""
    members = {m.id: m for m in (await session.execute(select(Member))).scalars()}
    sectors = {s.id: s for s in (await session.execute(select(Sector))).scalars()}
    lines = (
        (
            await session.execute(
                select(AssessmentLine)
                .where(col(AssessmentLine.year) == standings.year)
                .order_by(
                    col(AssessmentLine.subject_kind),
                    col(AssessmentLine.subject_id),
                    col(AssessmentLine.item_code),
                    col(AssessmentLine.occurred_on),
                    col(AssessmentLine.id),
                )
            )
        )
        .scalars()
        .all()
    )
    version = standings.rules_version

    def member_cells(member_id: int) -> list[str]:
        member = members.get(member_id)
        if member is None:
            return ["", _("(removed)"), ""]
        sector = sectors.get(member.sector_id)
        return [member.code, member.name, display_name(sector, locale) if sector else ""]

    def sector_name(sector_id: int) -> str:
        sector = sectors.get(sector_id)
        return display_name(sector, locale) if sector else _("(removed)")

    totals = Table(
        _("Totals"),
        [
            _("Code"),
            _("Name"),
            _("Sector"),
            _("Group"),
            _("Total"),
            _("Rank"),
            _("In pool"),
            _("Excellent"),
            _("Rules version"),
        ],
    )
    tables = [totals]
    for group in standings.members:
        sheet = Table(group.name(locale), _group_header())
        for row in group.rows:
            decision = standings.decision(MEMBER, row.subject_id)
            totals.rows.append(
                [
                    *member_cells(row.subject_id),
                    group.name(locale),
                    _points(row.total_c),
                    row.rank,
                    _yes_no(row.in_pool),
                    _yes_no(decision.excellent),
                    version,
                ]
            )
            sheet.rows.append(_group_row(row, group, member_cells(row.subject_id)[:2], version))
        tables.append(sheet)
    sector_sheet = Table(_("Sectors"), [_("Sector"), _("Group"), *_group_header()[2:]])
    for group in standings.sectors:
        for row in group.rows:
            cells = _group_row(row, group, [sector_name(row.subject_id)], version)
            cells.insert(1, group.name(locale))
            sector_sheet.rows.append(cells)
    tables.append(sector_sheet)
    ledger = Table(
        _("Ledger"),
        [
            _("Subject"),
            _("Code"),
            _("Name"),
            _("Item"),
            _("Item name"),
            _("Source"),
            _("Source id"),
            _("Date"),
            _("Units"),
            _("Points"),
            _("Rules version"),
        ],
    )
    for line in lines:
        item = standings.rules.item(line.item_code)
        if line.subject_kind == SECTOR:
            who = ["", sector_name(line.subject_id)]
        else:
            who = member_cells(line.subject_id)[:2]
        ledger.rows.append(
            [
                _("member") if line.subject_kind == MEMBER else _("sector"),
                *who,
                line.item_code,
                item.name(locale) if item else "",
                line.source_kind,
                line.source_id,
                line.occurred_on,
                _points(line.units_c),
                _points(line.points_c),
                version,
            ]
        )
    tables.append(ledger)
    title = _("Duty assessment, {year}").format(year=standings.year)
    return workbook(title, _unique_titles(tables))


def _group_header() -> list[str]:
    return [
        _("Code"),
        _("Name"),
        _("Total"),
        _("Rank"),
        _("Group size"),
        _("In pool"),
        _("Tie note"),
        _("Rules version"),
    ]


def _group_row(row: RankedRow, group: GroupStanding, who: list[str], version: int) -> list[object]:
    return [
        *who,
        _points(row.total_c),
        row.rank,
        group.size,
        _yes_no(row.in_pool),
        row.tie_note,
        version,
    ]


def _unique_titles(tables: list[Table]) -> list[Table]:
    """Sheet names are at most 31 characters and unique; a group's name may be long."""
    seen: set[str] = set()
    for index, table in enumerate(tables):
        title = table.title[:31]
        if title in seen:
            title = f"{title[:27]} ({index})"
        seen.add(title)
        table.title = title
    return tables
