"""Checking in for a duty turn: logs the member's ``station-duty`` activity, once per turn."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.clock import local_date
from services.errors import DomainError
from services.members.activities import ActivityInput, log_activity
from services.members.rules import RuleBook
from services.reference.catalog import display_name
from storage.db import write_transaction
from storage.models import DutyTurn, Member, Station

DUTY_KIND = "station-duty"
# A member may check in a little early, as people arrive before the hour.
EARLY = dt.timedelta(minutes=30)


async def own_turn(session: AsyncSession, *, member_id: int, turn_id: int) -> DutyTurn:
    """The member's own turn; anyone else's reads as unknown."""
    turn = await session.get(DutyTurn, turn_id)
    if turn is None or turn.member_id != member_id:
        raise DomainError("turn_unknown")
    return turn


async def current_turn(
    session: AsyncSession, *, member_id: int, now: dt.datetime
) -> DutyTurn | None:
    """The member's turn under way now (or about to start), if any."""
    stmt = (
        select(DutyTurn)
        .where(
            col(DutyTurn.member_id) == member_id,
            col(DutyTurn.starts_at) <= now + EARLY,
            col(DutyTurn.ends_at) > now,
        )
        .order_by(col(DutyTurn.starts_at))
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()


async def check_in_turn(
    session: AsyncSession,
    *,
    member_id: int,
    turn_id: int,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    summary: str,
    locale: str = "zh_CN",
) -> DutyTurn:
    """Check the member in for their turn while it runs and log the duty activity.

    ``summary`` is the activity's text in the member's language (the chat layer words it).
    The turn is claimed first by a conditional update, so two taps (or two chats of the
    same member) log one activity; if logging fails the claim is undone.
    """
    turn = await own_turn(session, member_id=member_id, turn_id=turn_id)
    if turn.checked_in_at is not None:
        raise DomainError("turn_checked_in")
    if not turn.starts_at - EARLY <= now < turn.ends_at:
        raise DomainError("turn_not_now")
    member = await session.get(Member, member_id)
    station = await session.get(Station, turn.station_id)
    assert member is not None
    assert station is not None
    # Read before the claim commits: committed rows are expired and would load again.
    sector_id, station_id, place = member.sector_id, station.id, display_name(station, locale)
    async with write_transaction(session):
        claimed = await session.execute(
            update(DutyTurn)
            .where(col(DutyTurn.id) == turn_id, col(DutyTurn.checked_in_at).is_(None))
            .values(checked_in_at=now)
        )
    if not getattr(claimed, "rowcount", 0):
        raise DomainError("turn_checked_in")
    try:
        activity = await log_activity(
            session,
            member_id=member_id,
            data=ActivityInput(
                kind=DUTY_KIND,
                occurred_on=local_date(now, tz),
                sector_id=sector_id,
                people_count=1,
                summary=summary,
                place=place[:100],
                station_id=station_id,
                channel="checkin",
            ),
            rulebook=rulebook,
            now=now,
            tz=tz,
        )
    except BaseException:
        async with write_transaction(session):
            await session.execute(
                update(DutyTurn).where(col(DutyTurn.id) == turn_id).values(checked_in_at=None)
            )
        raise
    activity_id = activity.id
    async with write_transaction(session):
        await session.execute(
            update(DutyTurn).where(col(DutyTurn.id) == turn_id).values(activity_id=activity_id)
        )
    await session.refresh(turn)
    return turn


async def check_in_at_station(
    session: AsyncSession,
    *,
    member_id: int,
    station_id: int,
    now: dt.datetime,
    tz: dt.tzinfo,
    rulebook: RuleBook,
    summary: str,
    locale: str = "zh_CN",
) -> DutyTurn:
    """The station's posted QR code: check in for the member's turn there that runs now."""
    stmt = (
        select(DutyTurn)
        .where(
            col(DutyTurn.member_id) == member_id,
            col(DutyTurn.station_id) == station_id,
            col(DutyTurn.starts_at) <= now + EARLY,
            col(DutyTurn.ends_at) > now,
        )
        .order_by(col(DutyTurn.starts_at))
        .limit(1)
    )
    turn = (await session.execute(stmt)).scalars().first()
    if turn is None or turn.id is None:
        raise DomainError("turn_not_now")
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
