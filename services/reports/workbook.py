"""XLSX workbooks of report tables: typed cells, bold frozen headers, fitted columns.

Durations are written in days and shares as fractions formatted as per cent, so that the
office can compute with them; every string stays text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

PERCENT_FORMAT = "0%"
DAYS_FORMAT = "0.0"


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


def to_bytes(book: Workbook) -> bytes:
    """The workbook as an XLSX file, every string stored as text."""
    strings_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
    return to_bytes(book)
