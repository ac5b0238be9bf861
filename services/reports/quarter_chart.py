"""The quarter's minimums as a PNG: members who met the minimum and who are short."""

from __future__ import annotations

from services.calendar import Quarter
from services.members.compliance import GroupTotals, MemberQuarterRow, totals_by
from services.members.labels import group_label
from services.reference.catalog import display_name
from services.reports.charts import Chart, Panel, Series, render_png
from services.reports.wording import chart_language
from services.translation import gettext as _
from storage.enums import MemberGroup


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
