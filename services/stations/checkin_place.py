"""Checking in for a duty turn by sharing one's location at the station.

Besides scanning the station's posted code, a member on duty may share their location: it
checks them in for their turn running now at a station within :data:`DUTY_RADIUS_M` of it.
A station without coordinates can't be checked into this way; its code still works.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.errors import DomainError
from services.members.rules import RuleBook
from services.reference.catalog import distance_km
from services.stations.checkin import EARLY, check_in_turn
from storage.models import DutyTurn, Station

DUTY_RADIUS_M = 300


async def due_turns(session: AsyncSession, *, member_id: int, now: dt.datetime) -> list[DutyTurn]:
    """The member's turns open for check-in now and not checked in yet."""
    rows = await session.scalars(
        select(DutyTurn)
        .where(
            col(DutyTurn.member_id) == member_id,
            col(DutyTurn.starts_at) <= now + EARLY,
            col(DutyTurn.ends_at) > now,
            col(DutyTurn.checked_in_at).is_(None),
        )
        .order_by(col(DutyTurn.starts_at))
    )
    return list(rows)


async def check_in_nearby(
    session: AsyncSession,
    *,
    member_id: int,
    latitude: float,
    longitude: float,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    summary: str,
    locale: str = "zh_CN",
) -> DutyTurn:
    """Check in for the due turn at a station within reach of the shared location.

    Refused with ``turn_not_now`` (no turn due), ``duty_place_unknown`` (the stations of the
    due turns have no coordinates) or ``duty_too_far`` (``metres`` from the nearest).
    """
    turns = await due_turns(session, member_id=member_id, now=now)
    if not turns:
        raise DomainError("turn_not_now")
    nearest: tuple[float, DutyTurn] | None = None
    for turn in turns:
        station = await session.get(Station, turn.station_id)
        if station is None or station.latitude is None or station.longitude is None:
            continue
        metres = 1000 * distance_km(latitude, longitude, station.latitude, station.longitude)
        if nearest is None or metres < nearest[0]:
            nearest = (metres, turn)
    if nearest is None:
        raise DomainError("duty_place_unknown")
    metres, turn = nearest
    if metres > DUTY_RADIUS_M:
        raise DomainError("duty_too_far", metres=round(metres))
    assert turn.id is not None
    return await check_in_turn(
        session,
        member_id=member_id,
        turn_id=turn.id,
        now=now,
        tz=tz,
        rulebook=rulebook,
        summary=summary,
        locale=locale,
    )
