"""Importing a 12345 hotline export: every good row lands once, every bad row is named.

A row is refused, with its row number and the reason, when its ticket id or text is missing,
its time does not read, its text is longer than :data:`TEXT_MAX` or its ticket id is repeated
in the file; the other rows are stored. A ticket already stored is skipped, so importing the
same export twice adds nothing the second time. The import is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.hotspots.hotline_files import HotlineMap, parse_time, read_rows
from services.translation import gettext as _
from storage.models import HotlineRecord, IssueCategory

TEXT_MAX = 4000
TICKET_MAX = 64
_CHUNK = 500


@dataclass
class HotlineImport:
    """What an import did, and the rows it refused with why (already in the run's language)."""

    created: int = 0
    existing: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _coordinate(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def _record(
    number: int, cells: dict[str, str], hotline_map: HotlineMap, tz: dt.tzinfo
) -> dict[str, object] | str:
    """The row as a record's values, or why it is refused."""
    columns = hotline_map.columns

    def cell(name: str) -> str:
        return cells.get(columns.get(name, ""), "").strip()

    ticket, text = cell("ticket_id"), cell("text")
    if not ticket:
        return _("no ticket id")
    if len(ticket) > TICKET_MAX:
        return _("ticket id longer than {maximum} characters").format(maximum=TICKET_MAX)
    if not text:
        return _("no text")
    if len(text) > TEXT_MAX:
        return _("text longer than {maximum} characters").format(maximum=TEXT_MAX)
    received = parse_time(cell("received_at"), hotline_map.time_format, tz)
    if received is None:
        return _("time '{value}' does not read as {format}").format(
            value=cell("received_at"), format=hotline_map.time_format
        )
    district = cell("district")
    return {
        "ticket_id": ticket,
        "received_at": received,
        "category_text": cell("category")[:80],
        "district": hotline_map.districts.get(district, district)[:80],
        "address": cell("address")[:200],
        "latitude": _coordinate(cell("latitude"), -90, 90),
        "longitude": _coordinate(cell("longitude"), -180, 180),
        "text": text,
    }


async def import_hotline(
    session: AsyncSession,
    *,
    path: Path,
    hotline_map: HotlineMap,
    tz: dt.tzinfo,
    now: dt.datetime,
    actor: Actor,
) -> HotlineImport:
    """Store the new good rows of the export at ``path`` in the caller's transaction."""
    report = HotlineImport()
    codes: dict[str, int] = {
        code: category_id or 0
        for code, category_id in await session.execute(
            select(col(IssueCategory.code), col(IssueCategory.id))
        )
    }
    rows: dict[str, dict[str, object]] = {}
    for number, cells in read_rows(path):
        record = _record(number, cells, hotline_map, tz)
        if isinstance(record, str):
            report.errors.append((number, record))
            continue
        ticket = str(record["ticket_id"])
        if ticket in rows:
            report.errors.append((number, _("ticket id '{ticket}' appears twice").format(
                ticket=ticket)))  # fmt: skip
            continue
        code = hotline_map.categories.get(str(record["category_text"]))
        record["category_id"] = codes.get(code) if code else None
        record["batch"] = path.name[:200]
        record["imported_at"] = now
        rows[ticket] = record
    tickets = list(rows)
    for start in range(0, len(tickets), _CHUNK):
        chunk = tickets[start : start + _CHUNK]
        stored = await session.scalars(
            select(col(HotlineRecord.ticket_id)).where(col(HotlineRecord.ticket_id).in_(chunk))
        )
        for ticket in stored:
            rows.pop(ticket, None)
            report.existing += 1
    new = list(rows.values())
    for start in range(0, len(new), _CHUNK):
        await session.execute(insert(HotlineRecord), new[start : start + _CHUNK])
    report.created = len(new)
    audit(
        session,
        actor=actor,
        action="hotline.import",
        object_kind="hotline_record",
        object_id=path.name,
        after={"created": report.created, "existing": report.existing,
               "refused": len(report.errors)},
        now=now,
    )  # fmt: skip
    return report
