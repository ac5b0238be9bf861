"""The quarter's minimums as an XLSX workbook: every member, then totals by sector and group."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.calendar import Quarter
from services.members.compliance import GroupTotals, MemberQuarterRow, totals_by
from services.members.labels import group_label, member_status_label
from services.members.rules import Rules
from services.reference.catalog import display_name
from services.reports.quarter_summary import rules_line
from services.reports.workbook import cell_value, to_bytes
from services.translation import gettext as _


def quarter_workbook(
    rows: list[MemberQuarterRow], quarter: Quarter, locale: str, *, rules: Rules | None = None
) -> bytes:
    """Members, then totals by sector and by group, one sheet each.

    With ``rules``, every member's row and the file's description name the rules version.
    """
    book = Workbook()
    members = book.active
    assert members is not None
    members.title = _("Members")
    header = [
        _("Code"),
        _("Name"),
        _("Sector"),
        _("Group"),
        _("Status"),
        _("Activities this quarter"),
        _("Qualifying activities"),
        _("Quarter minimum met"),
        _("Person-times this quarter"),
        _("Person-times this year"),
        _("Person-times due by quarter end"),
        _("On pace for the year"),
        _("Six ones done"),
    ]
    # A column, not a line above the header: the sheet stays one table to sort and filter.
    version = [rules.version] if rules is not None else []
    if rules is not None:
        header.append(_("Rules version"))
    yes, no = _("yes"), _("no")
    members.append(header)
    for row in rows:
        members.append(
            [
                cell_value(value)
                for value in (
                    row.code,
                    row.name,
                    display_name(row.sector, locale),
                    group_label(row.group),
                    member_status_label(row.status),
                    row.quarter_activities,
                    row.qualifying,
                    yes if row.quarter_met else no,
                    row.quarter_person_times,
                    row.year_person_times,
                    row.year_expected,
                    yes if row.year_on_pace else no,
                    row.six_ones_done,
                    *version,
                )
            ]
        )
    sectors = {row.sector.code: row.sector for row in rows}
    _totals_sheet(
        book,
        _("By sector"),
        _("Sector"),
        {display_name(sectors[c], locale): t for c, t in totals_by(rows, "sector").items()},
    )
    _totals_sheet(
        book,
        _("By group"),
        _("Group"),
        {group_label(g): t for g, t in totals_by(rows, "group").items()},
    )
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
            width = max(len(str(value)) for value in column if value is not None)
            sheet.column_dimensions[get_column_letter(index)].width = min(40, width + 4)
    book.properties.title = _("Liaison minimums, {year} Q{number}").format(
        year=quarter.year, number=quarter.number
    )
    if rules is not None:
        book.properties.description = rules_line(rules)
    return to_bytes(book)


def _totals_sheet(book: Workbook, title: str, label: str, totals: dict[str, GroupTotals]) -> None:
    sheet = book.create_sheet(title)
    sheet.append([label, _("Active members"), _("Met the minimum"), _("Short")])
    for name, total in sorted(totals.items()):
        sheet.append([cell_value(name), total.members, total.met, total.short])
