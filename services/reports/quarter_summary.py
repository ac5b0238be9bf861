"""The quarter's minimums as text: totals by group and sector, members short, every member.

Called where :mod:`services.translation` translates into the reader's language; ``locale``
names stations and sectors.
"""

from __future__ import annotations

from services.calendar import Quarter
from services.members.compliance import GroupTotals, MemberQuarterRow, totals_by
from services.members.labels import group_label, member_status_label
from services.members.rules import Rules
from services.reference.catalog import display_name
from services.reports.minimums import short_of_minimum
from services.translation import gettext as _
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


def _line(name: str, totals: GroupTotals) -> str:
    return _("  {name}: {met} of {members} met, {short} short").format(
        name=name, met=totals.met, members=totals.members, short=totals.short
    )
