"""What the staff reports share: period and reach wording, numbers, workbooks, chart language."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.reference.catalog import display_name
from services.reports import charts
from services.reports.cases import Period
from storage.models import Station

PERCENT_FORMAT = "0%"
DAYS_FORMAT = "0.0"


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


class Days(float):
    """A number of days; a workbook shows it with one decimal."""


class Share(float):
    """A share from 0 to 1; a workbook shows it in per cent."""


def days(delta: dt.timedelta | None) -> Days | None:
    """A duration in days, to two decimals; None stays None."""
    return None if delta is None else Days(round(delta.total_seconds() / 86400, 2))


def share(value: float | None) -> Share | None:
    """A share for a workbook cell; None stays None."""
    return None if value is None else Share(value)


NUMBER_FORMATS = {Days: DAYS_FORMAT, Share: PERCENT_FORMAT}


def cell_value(value: Any) -> Any:
    """What a cell holds: numbers as numbers, text without the control characters XLSX refuses."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return float(value) if type(value) in NUMBER_FORMATS else value


def strings_as_text(book: Workbook) -> None:
    """Store every string of the workbook as text, never as a formula.

    Names, descriptions, titles and departments come from people; openpyxl would store
    ``=HYPERLINK("http://evil.example/","张三")`` as a live formula that the reader's
    spreadsheet runs. As text it is shown exactly as it was typed.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"


@dataclass
class Table:
    """One sheet of a workbook: a header row and data rows (``Days`` and ``Share`` formatted)."""

    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def workbook(title: str, tables: Sequence[Table]) -> bytes:
    """An XLSX file with one sheet per table: bold header, frozen first row, fitted columns."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for table in tables:
        sheet = book.create_sheet(table.title[:31])
        sheet.append([cell_value(v) for v in table.header])
        for row in table.rows:
            sheet.append([cell_value(v) for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if type(value) in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[type(value)]
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(sheet.iter_cols(), start=1):
            width = 0
            for cell in column:
                if cell.value is not None:
                    width = max(width, sum(2 if ord(c) > 0x2E80 else 1 for c in str(cell.value)))
            sheet.column_dimensions[get_column_letter(index)].width = min(50, width + 3)
    book.properties.title = title
    strings_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@contextmanager
def chart_language(locale: str) -> Iterator[str]:
    """The language a chart is drawn in: the reader's, or English when no font draws Chinese.

    Inside the block gettext translates into that language; the block gets its code.
    """
    if locale == "en" or charts.cjk_font() is not None:
        yield locale
        return
    i18n = I18n.get_current()
    assert i18n is not None, "called inside a translated context"
    with i18n.use_locale("en"):
        yield "en"
