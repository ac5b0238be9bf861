"""The duty rota: staff set members' turns at a station; staff read who came and who missed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.errors import DomainError
from services.reference.catalog import get_station
from storage.db import write_transaction
from storage.enums import MemberStatus
from storage.models import DutyTurn, Member

LONGEST_HOURS = 12


class TurnState(StrEnum):
    """Where a turn stands at a given moment."""

    UPCOMING = "upcoming"
    ON = "on"
    CHECKED_IN = "checked-in"
    MISSED = "missed"


def turn_state(turn: DutyTurn, now: dt.datetime) -> TurnState:
    """Checked in, missed (over without a check-in), under way, or still to come."""
    if turn.checked_in_at is not None:
        return TurnState.CHECKED_IN
    if turn.ends_at <= now:
        return TurnState.MISSED
    if turn.starts_at <= now:
        return TurnState.ON
    return TurnState.UPCOMING


@dataclass(frozen=True)
class RotaLine:
    """One turn of the rota with its member's name and state."""

    turn: DutyTurn
    member_name: str
    state: TurnState


def turn_times(
    day: dt.date, start_hour: int, end_hour: int, tz: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """The UTC start and end of a turn given as local whole hours of one day."""
    if not 0 <= start_hour < end_hour <= 24 or end_hour - start_hour > LONGEST_HOURS:
        raise DomainError("turn_hours_wrong", longest=LONGEST_HOURS)
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return (
        (midnight + dt.timedelta(hours=start_hour)).astimezone(dt.UTC),
        (midnight + dt.timedelta(hours=end_hour)).astimezone(dt.UTC),
    )


async def member_by_code(session: AsyncSession, code: str) -> Member | None:
    """The member with this roster code (staff name members by it)."""
    stmt = select(Member).where(col(Member.code) == code.strip())
    return (await session.execute(stmt)).scalar_one_or_none()


async def set_turn(
    session: AsyncSession,
    *,
    scope: StaffScope,
    station_id: int,
    member_id: int,
    day: dt.date,
    start_hour: int,
    end_hour: int,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> DutyTurn:
    """Put a member on duty at a station in scope; a member is never in two places at once."""
    scope.require(station_id)
    if await get_station(session, station_id) is None:
        raise DomainError("station_unknown")
    starts_at, ends_at = turn_times(day, start_hour, end_hour, tz)
    if ends_at <= now:
        raise DomainError("turn_in_past")
    async with write_transaction(session):
        member = await session.get(Member, member_id)
        if member is None or member.status != MemberStatus.ACTIVE:
            raise DomainError("member_unknown")
        clash = (
            await session.execute(
                select(col(DutyTurn.id)).where(
                    col(DutyTurn.member_id) == member_id,
                    col(DutyTurn.starts_at) < ends_at,
                    col(DutyTurn.ends_at) > starts_at,
                )
            )
        ).first()
        if clash is not None:
            raise DomainError("turn_double_booked", name=member.name)
        turn = DutyTurn(
            station_id=station_id,
            member_id=member_id,
            day=day,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by_staff_id=scope.staff_id,
            created_at=now,
        )
        session.add(turn)
        await session.flush()
        audit(
            session,
            actor=Actor("staff", scope.staff_id, scope.name),
            action="duty_turn.set",
            object_kind="duty_turn",
            object_id=turn.id,
            after={
                "station_id": station_id,
                "member_id": member_id,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
            now=now,
        )
    return turn


async def remove_turn(
    session: AsyncSession, *, scope: StaffScope, turn_id: int, now: dt.datetime
) -> None:
    """Take a turn off the rota before it starts."""
    async with write_transaction(session):
        turn = await session.get(DutyTurn, turn_id)
        if turn is None or not scope.covers(turn.station_id):
            raise DomainError("turn_unknown")
        if turn.starts_at <= now:
            raise DomainError("turn_started")
        audit(
            session,
            actor=Actor("staff", scope.staff_id, scope.name),
            action="duty_turn.remove",
            object_kind="duty_turn",
            object_id=turn_id,
            before={"member_id": turn.member_id, "starts_at": turn.starts_at.isoformat()},
            now=now,
        )
        await session.delete(turn)


async def rota(
    session: AsyncSession,
    *,
    scope: StaffScope,
    station_id: int,
    start: dt.date,
    days: int,
    now: dt.datetime,
) -> list[RotaLine]:
    """A station's turns from ``start`` for ``days`` days, with names and states."""
    scope.require(station_id)
    rows = (
        await session.execute(
            select(DutyTurn, col(Member.name))
            .join(Member, col(Member.id) == col(DutyTurn.member_id))
            .where(
                col(DutyTurn.station_id) == station_id,
                col(DutyTurn.day) >= start,
                col(DutyTurn.day) < start + dt.timedelta(days=days),
            )
            .order_by(col(DutyTurn.starts_at), col(DutyTurn.id))
        )
    ).all()
    return [RotaLine(turn, name, turn_state(turn, now)) for turn, name in rows]


async def on_duty(
    session: AsyncSession, *, station_id: int, day: dt.date
) -> Sequence[tuple[DutyTurn, str]]:
    """The turns at a station on a local day, with the members' names, earliest first."""
    rows = (
        await session.execute(
            select(DutyTurn, col(Member.name))
            .join(Member, col(Member.id) == col(DutyTurn.member_id))
            .where(col(DutyTurn.station_id) == station_id, col(DutyTurn.day) == day)
            .order_by(col(DutyTurn.starts_at), col(DutyTurn.id))
        )
    ).all()
    return [(turn, name) for turn, name in rows]


async def member_turns(
    session: AsyncSession, *, member_id: int, now: dt.datetime, past_days: int = 7
) -> Sequence[DutyTurn]:
    """A member's turns from ``past_days`` ago on, earliest first."""
    stmt = (
        select(DutyTurn)
        .where(
            col(DutyTurn.member_id) == member_id,
            col(DutyTurn.ends_at) >= now - dt.timedelta(days=past_days),
        )
        .order_by(col(DutyTurn.starts_at), col(DutyTurn.id))
    )
    return (await session.execute(stmt)).scalars().all()
