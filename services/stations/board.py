"""What a station shows residents, in its card and on its public page.

The upcoming open sessions and the members on duty today; nothing here needs a scope, as
both are announced to everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.clock import local_date
from services.stations.rota import on_duty
from services.stations.sessions import upcoming_sessions
from storage.models import DutyTurn, StationSession


@dataclass(frozen=True)
class StationBoard:
    """The sessions to come and today's duty turns with the members' names."""

    sessions: Sequence[StationSession]
    duty: Sequence[tuple[DutyTurn, str]]


async def station_board(
    session: AsyncSession, *, station_id: int, now: dt.datetime, tz: dt.tzinfo
) -> StationBoard:
    """The station's announced sessions not yet over and today's turns."""
    return StationBoard(
        sessions=await upcoming_sessions(session, station_id=station_id, now=now),
        duty=await on_duty(session, station_id=station_id, day=local_date(now, tz)),
    )
