"""The quarter's minimums report: a text summary, every member's figures, an XLSX workbook."""

from __future__ import annotations

import io

from aiogram.utils.i18n import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from handlers.reports.common import cell_value, chart_language, strings_as_text
from handlers.texts import group_label, member_status_label
from services.calendar import Quarter
from services.members.compliance import GroupTotals, MemberQuarterRow, totals_by
from services.members.rules import Rules
from services.reference.catalog import display_name
from services.reports.charts import Chart, Panel, Series, render_png
from services.reports.minimums import short_of_minimum
from storage.enums import MemberGroup, MemberStatus


def rules_line(rules: Rules) -> str:
    """Which rules counted the figures, so a report can be traced to its rules file."""
    return _("Counted under the {year} rules, version {version}.").format(
        year=rules.year, version=rules.version
    )


def quarter_summary(
    rows: list[MemberQuarterRow],
    quarter: Quarter,
    locale: str,
    *,
    limit: int | None = None,
    rules: Rules | None = None,
) -> str:
    """Plain text: totals by group and by sector, then the members short of the minimum.

    ``limit`` caps the list of members short (the workbook has them all). With ``rules``,
    the summary says which rules version counted it.
    """
    active = [row for row in rows if row.status == "active"]
    met = sum(row.quarter_met for row in active)
    lines = [
        _("Liaison minimums, {year} Q{number}").format(year=quarter.year, number=quarter.number),
    ]
    if rules is not None:
        lines.append(rules_line(rules))
    lines += [
        _("{met} of {members} active members met the quarter's minimum.").format(
            met=met, members=len(active)
        ),
        "",
        _("By group:"),
    ]
    for group, totals in sorted(totals_by(rows, "group").items()):
        lines.append(_line(group_label(group), totals))
    lines += ["", _("By sector:")]
    sectors = {row.sector.code: row.sector for row in rows}
    for code, totals in sorted(totals_by(rows, "sector").items()):
        lines.append(_line(display_name(sectors[code], locale), totals))
    short = short_of_minimum(rows)
    if short:
        lines += ["", _("Short of the minimum ({count}):").format(count=len(short))]
        shown = short if limit is None else short[:limit]
        lines += [f"  {row.code} {row.name} ({display_name(row.sector, locale)})" for row in shown]
        if len(shown) < len(short):
            lines.append(
                _("  …and {more} more (every member is in the spreadsheet).").format(
                    more=len(short) - len(shown)
                )
            )
    return "\n".join(lines)


def member_figures(rows: list[MemberQuarterRow], rules: Rules, locale: str) -> str:
    """Plain text: every member's figures, under their sector and, within it, their group.

    Sectors come in their reference order, groups in ranking order, members by code.
    """
    order = {group.value: index for index, group in enumerate(MemberGroup)}
    ranked = sorted(
        rows, key=lambda row: (row.sector.sort_order, order.get(row.group, 9), row.code)
    )
    lines = [_("Members by sector and group:")]
    sector, group = None, None
    for row in ranked:
        if row.sector.code != sector:
            sector, group = row.sector.code, None
            lines += ["", display_name(row.sector, locale)]
        if row.group != group:
            group = row.group
            lines.append(f"  {group_label(row.group)}")
        if row.status != MemberStatus.ACTIVE:
            # Only active members are held to the minimums; say why this one is not.
            verdict = member_status_label(row.status)
        else:
            verdict = _("Met the minimum") if row.quarter_met else _("Short")
        figures = _(
            "{code} {name}: {activities} activities this quarter ({qualifying} qualifying), "
            "{people} of {minimum} person-times this year, six ones {done} of {six} done — "
            "{verdict}"
        ).format(
            code=row.code,
            name=row.name,
            activities=row.quarter_activities,
            qualifying=row.qualifying,
            people=row.year_person_times,
            minimum=row.year_minimum,
            done=row.six_ones_done,
            six=len(rules.six_ones),
            verdict=verdict,
        )
        lines.append(f"    {figures}")
    return "\n".join(lines)


def quarter_chart(rows: list[MemberQuarterRow], quarter: Quarter, locale: str) -> bytes:
    """Active members who met the minimum and who are short, by group and by sector."""
    with chart_language(locale) as drawn:
        order = {group.value: index for index, group in enumerate(MemberGroup)}
        groups = sorted(totals_by(rows, "group").items(), key=lambda item: order.get(item[0], 9))
        sectors = {row.sector.code: row.sector for row in rows}
        by_sector = sorted(
            totals_by(rows, "sector").items(), key=lambda item: sectors[item[0]].sort_order
        )

        def panel(title: str, names: list[str], totals: list[GroupTotals]) -> Panel:
            met = Series(_("Met the minimum"), [t.met for t in totals])
            short = Series(_("Short"), [t.short for t in totals])
            return Panel(title, names, [met, short], stacked=True)

        chart = Chart(
            _("Liaison minimums, {year} Q{number}").format(
                year=quarter.year, number=quarter.number
            ),
            [
                panel(_("By group"), [group_label(g) for g, _t in groups], [t for _g, t in groups]),
                panel(
                    _("By sector"),
                    [display_name(sectors[code], drawn) for code, _t in by_sector],
                    [t for _c, t in by_sector],
                ),
            ],
        )
    return render_png(chart)


def _line(name: str, totals: GroupTotals) -> str:
    return _("  {name}: {met} of {members} met, {short} short").format(
        name=name, met=totals.met, members=totals.members, short=totals.short
    )


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
    strings_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _totals_sheet(book: Workbook, title: str, label: str, totals: dict[str, GroupTotals]) -> None:
    sheet = book.create_sheet(title)
    sheet.append([label, _("Active members"), _("Met the minimum"), _("Short")])
    for name, total in sorted(totals.items()):
        sheet.append([cell_value(name), total.members, total.met, total.short])
