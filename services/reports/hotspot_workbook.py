"""A month's hotspots as an XLSX workbook: one row per hotspot, then its example texts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.hotspots.staff_view import examples_of, hotspot_page
from services.reference.catalog import display_name
from services.reports.workbook import Table, workbook
from services.translation import gettext as _
from storage.models import IssueCategory, Station

ALL = 10_000


def trend_label(size: int, last: int) -> str:
    """New, up, down or steady against the month before."""
    if last == 0:
        return _("new")
    if size > last:
        return _("up {change}").format(change=size - last)
    if size < last:
        return _("down {change}").format(change=last - size)
    return _("steady")


async def hotspot_workbook(
    session: AsyncSession, *, month: str, scope: StaffScope, locale: str
) -> bytes:
    """The month's hotspots the staff member may see, largest first."""
    hotspots, _total = await hotspot_page(session, month=month, scope=scope, page=0, size=ALL)
    categories = {c.id: c for c in await session.scalars(select(IssueCategory))}
    stations = {s.id: s for s in await session.scalars(select(Station))}
    table = Table(
        _("Hotspots {month}").format(month=month),
        [_("Rank"), _("Category"), _("Where"), _("Station"), _("Reports"), _("Cases"),
         _("Last month"), _("Trend"), _("Top words"), _("Latitude"), _("Longitude")],
    )  # fmt: skip
    examples = Table(_("Examples"), [_("Rank"), _("Text")])
    for hotspot in hotspots:
        category = categories.get(hotspot.category_id)
        station = stations.get(hotspot.station_id)
        table.rows.append([
            hotspot.rank, display_name(category, locale) if category else _("Unmapped"),
            hotspot.place, display_name(station, locale) if station else "", hotspot.size,
            hotspot.cases, hotspot.size_last_month,
            trend_label(hotspot.size, hotspot.size_last_month), hotspot.top_words,
            hotspot.latitude, hotspot.longitude,
        ])  # fmt: skip
        examples.rows += [[hotspot.rank, text] for text in examples_of(hotspot)]
    return workbook(_("Hotspots {month}").format(month=month), [table, examples])
