"""Read a roster spreadsheet (CSV or XLSX) into rows of text keyed by column name, and write one."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from services.errors import DomainError

MAX_ROWS = 20_000


def read_rows(path: Path) -> list[dict[str, str]]:
    """The data rows of the first sheet; headers are lower-cased and stripped."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path.read_bytes())
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    raise DomainError("file_type", suffix=suffix)


def _header(values: list[str]) -> list[str]:
    return [value.strip().lower() for value in values]


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved by Chinese editions of Excel are often GB18030.
        text = data.decode("gb18030")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    lines = list(reader)
    if not lines:
        return []
    header = _header(lines[0])
    return [_row(header, line) for line in lines[1 : MAX_ROWS + 1]]


def _xlsx_rows(path: Path) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        lines = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not lines:
        return []
    header = _header(lines[0])
    return [_row(header, line) for line in lines[1 : MAX_ROWS + 1]]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _row(header: list[str], values: list[str]) -> dict[str, str]:
    padded = values + [""] * (len(header) - len(values))
    return {name: padded[index].strip() for index, name in enumerate(header) if name}


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    """Write rows under a header of ``columns``: CSV (UTF-8 with BOM, for Excel) or XLSX."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DomainError("file_type", suffix=suffix)
    lines = [list(columns), *([row.get(column, "") for column in columns] for row in rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(lines)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("roster")
    for line in lines:
        sheet.append(line)
    workbook.save(path)
