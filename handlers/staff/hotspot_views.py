"""How a hotspot reads in the chat: its line in the month's list and its card."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from markupsafe import Markup

from handlers.texts import escape
from services.hotspots.staff_view import examples_of
from services.reference.catalog import display_name
from services.reports.hotspot_workbook import trend_label
from storage.models import Hotspot, IssueCategory, Station, Topic

LINE_MAX = 60


def list_label(hotspot: Hotspot) -> str:
    """The button of a hotspot in the list (plain text: buttons are not HTML)."""
    words = "·".join(hotspot.top_words.split()[:3])
    text = _("#{rank} {size}× {place} {words}").format(
        rank=hotspot.rank, size=hotspot.size, place=hotspot.place, words=words
    )
    return text[:LINE_MAX]


def card_html(
    hotspot: Hotspot,
    *,
    month: str,
    category: IssueCategory | None,
    station: Station | None,
    topic: Topic | None,
    locale: str,
) -> Markup:
    """The hotspot's card: what, where, how many, the trend, three examples, its topic."""
    lines = [
        _("<b>Hotspot #{rank} of {month}</b>").format(rank=hotspot.rank, month=escape(month)),
        _("Category: {name}").format(
            name=escape(display_name(category, locale)) if category else _("Unmapped")
        ),
        _("Where: {place}").format(place=escape(hotspot.place)),
    ]
    if station is not None:
        lines.append(_("Station: {name}").format(name=escape(display_name(station, locale))))
    if hotspot.latitude is not None and hotspot.longitude is not None:
        lines.append(
            _("Centre: {lat:.5f}, {lon:.5f}").format(lat=hotspot.latitude, lon=hotspot.longitude)
        )
    lines.append(
        _("{size} reports ({cases} cases), {last} the month before: {trend}").format(
            size=hotspot.size,
            cases=hotspot.cases,
            last=hotspot.size_last_month,
            trend=trend_label(hotspot.size, hotspot.size_last_month),
        )
    )
    lines.append(_("Words: {words}").format(words=escape(hotspot.top_words)))
    lines.append(_("<b>Examples</b> (phone numbers removed):"))
    lines += [f"• {escape(text)}" for text in examples_of(hotspot)]
    if topic is not None:
        lines.append(_("💡 Topic: {title}").format(title=escape(topic.title)))
    return Markup("\n".join(lines))  # noqa: S704 - every value above was escaped
