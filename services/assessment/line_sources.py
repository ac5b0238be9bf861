"""What a ledger line came from, read from its source record for the chat to name in words.

A line keeps ``source_kind`` and ``source_id`` without a foreign key (a frozen year outlives
its records), so a source may be gone: it is then described by its kind alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Activity, AssessmentEntry, ConditionsReport, Meeting, Proposal


@dataclass(frozen=True)
class LineSource:
    """A line's source: its kind, and what the record says (empty when it is gone)."""

    kind: str
    code: str = ""  # an activity's or a meeting's kind
    title: str = ""
    number: str = ""  # a proposal's number
    on: dt.date | dt.datetime | None = None  # a date, or a meeting's start (UTC)
    found: bool = False


async def line_source(session: AsyncSession, source_kind: str, source_id: int) -> LineSource:
    """The record behind one line."""
    if source_kind == "activity":
        activity = await session.get(Activity, source_id)
        if activity is not None:
            return LineSource(source_kind, activity.kind, on=activity.occurred_on, found=True)
    elif source_kind == "invitation":
        meeting = await session.get(Meeting, source_id)
        if meeting is not None:
            return LineSource(
                source_kind, meeting.kind, meeting.title, on=meeting.starts_at, found=True
            )
    elif source_kind == "report":
        report = await session.get(ConditionsReport, source_id)
        if report is not None:
            return LineSource(source_kind, title=report.title, on=report.submitted_at, found=True)
    elif source_kind in ("proposal", "cosign"):
        proposal = await session.get(Proposal, source_id)
        if proposal is not None:
            return LineSource(
                source_kind,
                title=proposal.title,
                number=proposal.number or "",
                on=proposal.submitted_on,
                found=True,
            )
    elif source_kind == "entry":
        entry = await session.get(AssessmentEntry, source_id)
        if entry is not None:
            return LineSource(source_kind, title=entry.title, on=entry.occurred_on, found=True)
    return LineSource(source_kind)


async def line_sources(
    session: AsyncSession, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], LineSource]:
    """The sources of several lines (a page of them), by ``(source_kind, source_id)``."""
    return {key: await line_source(session, *key) for key in dict.fromkeys(keys)}
