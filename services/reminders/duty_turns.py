"""Reminders of members' duty turns at the stations: the day before, in the morning."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.clock import local_date
from services.meetings.invitations import member_chats
from services.reminders.planning import Due
from services.reminders.settings import ReminderSettings
from storage.models import DutyTurn, Station


async def duty_turn_reminders(
    session: AsyncSession, *, now: dt.datetime, tz: dt.tzinfo, settings: ReminderSettings
) -> list[Due]:
    """Tomorrow's turns, from the morning reminder hour of the day before; one per turn."""
    today = local_date(now, tz)
    morning = dt.datetime.combine(today, settings.morning, tzinfo=tz)
    if now < morning:
        return []
    rows = (
        await session.execute(
            select(DutyTurn, Station)
            .join(Station, col(Station.id) == col(DutyTurn.station_id))
            .where(col(DutyTurn.day) == today + dt.timedelta(days=1))
        )
    ).all()
    chats = await member_chats(session, sorted({turn.member_id for turn, _ in rows}))
    return [
        Due(
            key=f"duty-turn:{turn.id}:eve:{identity.id}",
            kind="duty-turn-reminder",
            identity=identity,
            data={"turn": turn, "station": station},
            expires_at=turn.starts_at,
        )
        for turn, station in rows
        for identity in chats.get(turn.member_id, [])
    ]
