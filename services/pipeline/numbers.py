"""Numbers of registered proposals (``2026-T-0042``) and outcomes (``2026-C-0007``)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import PipelineCounter

Series = Literal["T", "C"]


def format_pipeline_number(year: int, series: Series, seq: int) -> str:
    """The number as printed: the year, the series letter and four digits at least."""
    return f"{year}-{series}-{seq:04d}"


async def next_number(session: AsyncSession, *, year: int, series: Series) -> str:
    """Hand out the next number of ``series`` in ``year``, in the caller's write transaction.

    The counter row is updated in place, so two writers serialise on it (the write
    transaction holds SQLite's lock; PostgreSQL locks the row).
    """
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
            return await next_number(session, year=year, series=series)
        session.add(PipelineCounter(year=year, series=series, last=1))
        await session.flush()
        last = 1
    return format_pipeline_number(year, series, last)
