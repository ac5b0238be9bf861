"""What the staff reports say alike: the period, the stations covered, durations, shares.

Text is translated through :mod:`services.translation`, into the language the caller set;
:func:`chart_language` says which language a chart can be drawn in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from services.reference.catalog import display_name
from services.reports import charts
from services.reports.cases import Period
from services.translation import gettext as _
from services.translation import translated
from storage.models import Station


def period_label(period: Period) -> str:
    """``2026 Q4``, ``2026``, or the first and last day."""
    if period.quarter is not None:
        return _("{year} Q{number}").format(year=period.quarter.year, number=period.quarter.number)
    if period.year is not None:
        return str(period.year)
    return period_days(period)


def period_days(period: Period) -> str:
    """The first and the last day: ``2026-10-01 – 2026-12-31``."""
    return f"{period.start.isoformat()} – {period.last_day.isoformat()}"


def period_slug(period: Period) -> str:
    """The period in a file name: ``2026-Q4``, ``2026`` or ``2026-10-01_2026-12-31``."""
    if period.quarter is not None:
        return f"{period.quarter.year}-Q{period.quarter.number}"
    if period.year is not None:
        return str(period.year)
    return f"{period.start.isoformat()}_{period.last_day.isoformat()}"


def heading(title: str, period: Period) -> str:
    """A report's first line: its title, the period and its days."""
    label, days = period_label(period), period_days(period)
    if label == days:
        return _("{title}, {period}").format(title=title, period=label)
    return _("{title}, {period} ({days})").format(title=title, period=label, days=days)


def reach_label(stations: Sequence[Station], *, every: bool, one: bool, locale: str) -> str:
    """Which stations a report covers."""
    names = "、".join(display_name(station, locale) for station in stations)
    if one and stations:
        return _("Station: {name}").format(name=names)
    if every:
        return _("All stations")
    return _("Your stations: {names}").format(names=names or "—")


def percent(share: float | None) -> str:
    """A share as a whole per cent, or a dash when there is nothing to divide."""
    return "—" if share is None else f"{share:.0%}"


def duration(delta: dt.timedelta | None) -> str:
    """A duration in days and hours (minutes when under an hour), or a dash."""
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds())
    if seconds < 3600:
        return _("{minutes} min").format(minutes=max(0, seconds) // 60)
    days, hours = divmod(round(seconds / 3600), 24)
    if not days:
        return _("{hours} h").format(hours=hours)
    return _("{days} d {hours} h").format(days=days, hours=hours)


@contextmanager
def chart_language(locale: str) -> Iterator[str]:
    """The language a chart is drawn in: the reader's, or English when no font draws Chinese.

    Inside the block gettext translates into that language; the block gets its code.
    """
    if locale == "en" or charts.cjk_font() is not None:
        yield locale
        return
    # The msgids are the English text, so no catalogue at all reads in English.
    with translated(None):
        yield "en"
