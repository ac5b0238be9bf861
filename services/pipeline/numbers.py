"""Numbers of registered proposals (``2026-T-0042``) and outcomes (``2026-C-0007``)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Outcome, PipelineCounter, Proposal

Series = Literal["T", "C"]


def format_pipeline_number(year: int, series: Series, seq: int) -> str:
    """The number as printed: the year, the series letter and four digits at least."""
    return f"{year}-{series}-{seq:04d}"


async def next_number(session: AsyncSession, *, year: int, series: Series) -> str:
    """Hand out the next free number of ``series`` in ``year``, in the caller's write transaction.

    The counter row is updated in place, so two writers serialise on it (the write
    transaction holds SQLite's lock; PostgreSQL locks the row). A number already taken by a
    proposal entered from paper or imported with its number is passed over.
    """
    while True:
        number = await _bump(session, year=year, series=series)
        if not await _taken(session, year=year, series=series, number=number):
            return number


async def _taken(session: AsyncSession, *, year: int, series: Series, number: str) -> bool:
    table = Proposal if series == "T" else Outcome
    found = await session.execute(
        select(col(table.id)).where(col(table.year) == year, col(table.number) == number)
    )
    return found.first() is not None


async def _bump(session: AsyncSession, *, year: int, series: Series) -> str:
    """Move the series' counter on by one and return the number it now stands at."""
    bumped = await session.execute(
        update(PipelineCounter)
        .where(col(PipelineCounter.year) == year, col(PipelineCounter.series) == series)
        .values(last=col(PipelineCounter.last) + 1)
        .returning(col(PipelineCounter.last))
    )
    last = bumped.scalar_one_or_none()
    if last is None:
        taken = await session.execute(
            select(col(PipelineCounter.last)).where(
                col(PipelineCounter.year) == year, col(PipelineCounter.series) == series
            )
        )
        if taken.scalar_one_or_none() is not None:  # pragma: no cover - raced by a writer
            return await _bump(session, year=year, series=series)
        session.add(PipelineCounter(year=year, series=series, last=1))
        await session.flush()
        last = 1
    return format_pipeline_number(year, series, last)
