"""The secret in a station's posted duty QR code.

Checking in by the code stands for being at the station, so the code can't be a station's
public id: each station gets a random token the first time staff print its code, and a
scanned token is looked up, never parsed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.models import StationDutyCode

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,32}")


async def duty_code(session: AsyncSession, *, station_id: int, now: dt.datetime) -> str:
    """The station's duty token, made on first use."""
    async with write_transaction(session):
        row = await session.get(StationDutyCode, station_id)
        if row is None:
            row = StationDutyCode(
                station_id=station_id, token=secrets.token_urlsafe(12), created_at=now
            )
            session.add(row)
        return row.token


async def station_of_code(session: AsyncSession, *, token: str) -> int | None:
    """The station whose posted code carries ``token``; None for anything else."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return await session.scalar(
        select(col(StationDutyCode.station_id)).where(col(StationDutyCode.token) == token)
    )
