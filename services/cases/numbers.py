"""Case numbers as people type them: ``2026-123``, ``2026 000123``, ``2026000123``."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.cases.residents import format_number
from storage.models import Issue

_NUMBER_RE = re.compile(r"^(?P<year>\d{4})\s*[-/ ]?\s*(?P<seq>\d{1,6})$")


def parse_number(text: str) -> str | None:
    """A case number as people type it (``2026-123``, ``2026 000123``) in its stored form."""
    match = _NUMBER_RE.match(text.strip())
    if match is None:
        return None
    return format_number(int(match["year"]), int(match["seq"]))


async def find_by_number(session: AsyncSession, text: str) -> Issue | None:
    """The case with this number, however it was typed; None if there is none."""
    number = parse_number(text)
    if number is None:
        return None
    return (
        await session.execute(select(Issue).where(col(Issue.number) == number))
    ).scalar_one_or_none()
