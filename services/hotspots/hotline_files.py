"""Reading a 12345 hotline export: CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX, and its map.

Every city's export names its columns differently, so a small TOML map
(``hotline_map.toml`` beside this module is the default) says which header holds the ticket id,
the time, the category, the district, the address, the text and optionally the coordinates,
the time format, and how the export's categories and districts become ours.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from services.errors import DomainError

DEFAULT_MAP = Path(__file__).with_name("hotline_map.toml")
REQUIRED_COLUMNS = ("ticket_id", "received_at", "category", "district", "address", "text")
OPTIONAL_COLUMNS = ("latitude", "longitude")


@dataclass(frozen=True)
class HotlineMap:
    """Which column holds what, how times are written, and our names for theirs."""

    columns: dict[str, str]
    time_format: str = "%Y-%m-%d %H:%M:%S"
    categories: dict[str, str] = field(default_factory=dict)
    districts: dict[str, str] = field(default_factory=dict)


def read_map(path: Path | None = None) -> HotlineMap:
    """The column map at ``path`` (the default map when None); ``hotline_bad_map`` if unusable."""
    path = path or DEFAULT_MAP
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DomainError("hotline_bad_map", reason=str(error)) from error
    columns = {str(k): str(v).strip() for k, v in dict(data.get("columns", {})).items()}
    missing = [name for name in REQUIRED_COLUMNS if not columns.get(name)]
    if missing:
        raise DomainError("hotline_bad_map", reason=", ".join(missing))
    return HotlineMap(
        columns=columns,
        time_format=str(data.get("time_format", HotlineMap.time_format)),
        categories={str(k): str(v) for k, v in dict(data.get("categories", {})).items()},
        districts={str(k): str(v) for k, v in dict(data.get("districts", {})).items()},
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Exports from Chinese editions of Excel and many city systems are GBK (GB18030).
        return data.decode("gb18030")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as in the sheet, cells by header) for every data row of the first sheet."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.reader(io.StringIO(_decode(path.read_bytes())))
        lines: Iterator[list[str]] = iter(reader)
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        lines = ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
    else:
        raise DomainError("file_type", suffix=suffix)
    header = [name.strip() for name in next(lines, [])]
    for number, values in enumerate(lines, start=2):
        cells = [str(v).strip() for v in values]
        if any(cells):
            yield number, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))


def parse_time(text: str, time_format: str, tz: dt.tzinfo) -> dt.datetime | None:
    """A local time written in ``time_format`` (or ISO 8601) as UTC; None when neither reads."""
    text = text.strip()
    for read_as in (time_format, None):
        try:
            # The export's times are local and naive: the committee's zone is put on below.
            moment = (
                dt.datetime.strptime(text, read_as)  # noqa: DTZ007
                if read_as
                else dt.datetime.fromisoformat(text)
            )
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(dt.UTC)
    return None
