"""Demo station work: open sessions at the demo member's station and the month's duty rota.

An announced open session in the coming days with the demo resident's question, a session
held last week whose points were recorded (one already a case), and a rota for the demo
month: a morning turn each weekday by the first three members, and a day-long turn for the
demo member today, so the card shows who is on duty and the member can check in. Loading
them again adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import scope_of
from services.demo.cases import DEMO_RESIDENT_CHAT_ID
from services.demo.data import DEMO_STAFF_NAME
from services.outbox.notices import Notifier
from services.reference.catalog import get_station_by_code, list_categories
from services.stations.points import point_to_case, record_point
from services.stations.questions import ask_question
from services.stations.rota import set_turn
from services.stations.sessions import SessionDraft, schedule_session
from storage.models import ChatIdentity, Member, Staff, StationSession

DEMO_STATION_CODE = "xq-jingde"
ROTA_MEMBERS = ("M001", "M002", "M003")


def _local(day: dt.date, hour: int, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz).astimezone(dt.UTC)


async def seed_demo_station_work(
    session: AsyncSession, *, now: dt.datetime, tz: dt.tzinfo, notifier: Notifier
) -> int:
    """Sessions, a question, points and the month's rota; how many turns were set."""
    if (await session.execute(select(col(StationSession.id)).limit(1))).first() is not None:
        return 0
    station = await get_station_by_code(session, DEMO_STATION_CODE)
    staff = (
        await session.execute(select(Staff).where(col(Staff.name) == DEMO_STAFF_NAME))
    ).scalar_one_or_none()
    if station is None or station.id is None or staff is None:
        return 0
    scope = await scope_of(session, staff)
    today = now.astimezone(tz).date()
    category = (await list_categories(session))[0].id
    coming = today + dt.timedelta(days=3)
    announced = await schedule_session(
        session,
        scope=scope,
        draft=SessionDraft(
            station_id=station.id,
            title="老旧小区停车难恳谈会",
            starts_at=_local(coming, 14, tz),
            ends_at=_local(coming, 16, tz),
            venue="景德街道社区服务中心二楼",
            description="听取居民对小区停车位和充电桩建设的意见，欢迎街坊邻居参加。",
            category_id=category,
        ),
        notifier=notifier,
        now=now,
    )
    resident = (
        await session.execute(
            select(ChatIdentity).where(col(ChatIdentity.chat_id) == DEMO_RESIDENT_CHAT_ID)
        )
    ).scalar_one_or_none()
    if resident is not None and resident.id is not None and announced.id is not None:
        await ask_question(
            session,
            identity_id=resident.id,
            session_id=announced.id,
            text="晚上能否开放附近单位的停车场给居民使用？",
            now=now,
        )
    held = today - dt.timedelta(days=6)
    earlier = now - dt.timedelta(days=10)
    past = await schedule_session(
        session,
        scope=scope,
        draft=SessionDraft(
            station_id=station.id,
            title="社区养老服务恳谈会",
            starts_at=_local(held, 9, tz),
            ends_at=_local(held, 11, tz),
            venue="景德街道社区服务中心",
            category_id=category,
        ),
        notifier=notifier,
        now=earlier,
    )
    assert past.id is not None
    during = _local(held, 10, tz)
    first = await record_point(
        session,
        scope=scope,
        session_id=past.id,
        text="社区食堂午餐供应时间太短，行动不便的老人赶不上。",
        now=during,
    )
    await record_point(
        session,
        scope=scope,
        session_id=past.id,
        text="希望增加上门助浴服务的次数，每月一次不够。",
        now=during,
    )
    assert first.id is not None
    await point_to_case(session, scope=scope, point_id=first.id, now=during, tz=tz)
    return await _rota(session, station_id=station.id, scope_staff=staff, now=now, tz=tz)


async def _rota(
    session: AsyncSession, *, station_id: int, scope_staff: Staff, now: dt.datetime, tz: dt.tzinfo
) -> int:
    """A weekday morning turn each day of the month, and the demo member all day today."""
    scope = await scope_of(session, scope_staff)
    members = {
        member.code: member.id
        for member in (
            await session.execute(select(Member).where(col(Member.code).in_(ROTA_MEMBERS)))
        ).scalars()
    }
    today = now.astimezone(tz).date()
    first_day = today.replace(day=1)
    set_count = 0
    day = first_day
    while day.month == first_day.month:
        code = ROTA_MEMBERS[(day.day - 1) % len(ROTA_MEMBERS)]
        hours = (8, 20) if day == today else (9, 12)
        if day == today:
            code = ROTA_MEMBERS[0]
        member_id = members.get(code)
        if member_id is not None and (day == today or day.weekday() < 5):
            # Turns earlier in the month were set before they began, as a rota is.
            await set_turn(
                session,
                scope=scope,
                station_id=station_id,
                member_id=member_id,
                day=day,
                start_hour=hours[0],
                end_hour=hours[1],
                now=_local(first_day, 0, tz) - dt.timedelta(days=1),
                tz=tz,
            )
            set_count += 1
        day += dt.timedelta(days=1)
    return set_count
