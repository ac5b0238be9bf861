"""Passing suggestions to departments: one handling row per suggestion, department and round."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import DomainError
from storage.models import Handling


def check_departments(lead_id: int | None, co_ids: Sequence[int]) -> tuple[int, ...]:
    """The lead first, then the co-departments once each; refuse a missing or repeated lead."""
    if lead_id is None:
        raise DomainError("pipeline_lead_missing")
    co = tuple(dict.fromkeys(d for d in co_ids if d != lead_id))
    return (lead_id, *co)


async def create_handlings(
    session: AsyncSession,
    *,
    suggestion_ids: Sequence[int],
    department_ids: Sequence[int],
    due_at: dt.datetime,
    round: int,
    now: dt.datetime,
) -> int:
    """Add each department's handling of each suggestion; the first department leads.

    In the caller's write transaction; returns how many rows were written.
    """
    rows = [
        {
            "suggestion_id": suggestion_id,
            "department_id": department_id,
            "lead": index == 0,
            "round": round,
            "assigned_at": now,
            "due_at": due_at,
        }
        for suggestion_id in suggestion_ids
        for index, department_id in enumerate(department_ids)
    ]
    if rows:
        await session.execute(insert(Handling), rows)
    return len(rows)
