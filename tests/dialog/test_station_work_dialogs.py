"""Open sessions and the duty rota through the Dispatcher: staff, residents, members.

Staff schedule a session and record what was raised; a resident asks a question from the
announcement's button; a member checks in for a turn with one tap. Every button that names
a session, a point or a turn is forged by someone it is not for, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from sqlalchemy import func, select

from bot.app import AppContext
from handlers.stations_work import DutyCB, PointCB, SessionCB
from services.accounts.identities import touch_identity
from services.accounts.scope import StaffScope, scope_of
from services.accounts.staff import add_staff, bind_staff
from services.reference.catalog import list_stations
from services.stations.duty_codes import duty_code
from services.stations.points import record_point
from services.stations.rota import set_turn
from services.stations.sessions import SessionDraft, schedule_session
from storage.db import Database, write_transaction
from storage.enums import StaffRole
from storage.models import (
    Activity,
    AuditEntry,
    DutyTurn,
    Issue,
    SessionPoint,
    SessionQuestion,
    Station,
    StationSession,
)
from tests.support.chat import ChatUser
from tests.support.members import NOW, member_by_code

TZ = ZoneInfo("Asia/Shanghai")


async def station_ids(db: Database) -> list[int]:
    async with db.session() as session:
        return [station.id or 0 for station in await list_stations(session)]


async def admin_scope(db: Database) -> StaffScope:
    async with db.session() as session:
        staff = await add_staff(session, name="Admin", now=NOW)
        return await scope_of(session, staff)


async def station_staff(db: Database, dispatcher: Dispatcher, bot: Bot, station: int) -> ChatUser:
    """A staff member of one station, with a linked chat."""
    async with db.session() as session:
        staff = await add_staff(
            session, name="Station staff", role=StaffRole.STATION, now=NOW, station_ids=[station]
        )
        identity = await touch_identity(
            session, channel="telegram", chat_id=8101, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    return ChatUser(dispatcher, bot, user_id=8101)


async def a_session(app: AppContext, station: int, *, starts: dt.datetime | None = None) -> int:
    starts = starts or NOW + dt.timedelta(days=2)
    async with app.db.session() as session:
        row = await schedule_session(
            session,
            scope=await admin_scope(app.db),
            draft=SessionDraft(
                station_id=station,
                title="Lane 5 parking",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
            ),
            notifier=app.notifier,
            now=NOW,
        )
        return row.id or 0


async def count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


def alerts(sent: list[TelegramMethod[object]]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def test_staff_schedules_and_records_a_point_as_a_case(
    app: AppContext, office: ChatUser, roster: Database
) -> None:
    await office.send("/sessions")
    await office.tap("➕")
    sent = await office.send(
        "Parking on Lane 5\n2026-11-25 14:00-16:00\nCommunity hall\nBring ideas"
    )
    assert "Scheduled and announced" in office.texts(sent)[0]
    async with roster.session() as session:
        row = (await session.execute(select(StationSession))).scalar_one()
    assert row.venue == "Community hall"
    assert row.starts_at == dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)
    wrong = await office.send("/sessions")
    assert "Parking on Lane 5" in office.texts(wrong)[0]
    app.clock.set(row.starts_at + dt.timedelta(minutes=30))  # type: ignore[attr-defined]
    await office.tap("Parking on Lane 5")
    await office.tap("Record a point")
    short = await office.send("short")
    assert "at least 10 characters" in office.texts(short)[0]
    card = await office.send("The fire lane is blocked by parked cars every night")
    assert "Points raised: 1" in office.texts(card)[0]
    asked = await office.tap("→ case")
    assert "choose the category" in office.texts(asked)[-1]
    made = await office.press(office.inline_buttons()[0][1])
    assert "is open at the station" in office.texts(made)[-1]
    again = await office.press(office.inline_buttons()[0][1])
    assert "is open at the station" in office.texts(again)[-1]
    assert await count(roster, Issue) == 1


async def test_resident_asks_a_question_before_the_session(
    app: AppContext, resident: ChatUser, roster: Database
) -> None:
    session_id = await a_session(app, (await station_ids(roster))[0])
    opened = await resident.press(SessionCB(action="ask", id=session_id).pack())
    assert any("Your question for the open session" in text for text in resident.texts(opened))
    short = await resident.send("Hm")
    assert "at least 5 characters" in resident.texts(short)[0]
    done = await resident.send("When will the parking lot open?")
    assert "Thank you" in resident.texts(done)[0]
    assert await count(roster, SessionQuestion) == 1
    unknown = await resident.press(SessionCB(action="ask", id=session_id + 99).pack())
    assert alerts(unknown) == ["This open session is not available."]


async def test_member_checks_in_by_sharing_the_location_at_the_station(
    app: AppContext, member: ChatUser, roster: Database
) -> None:
    station = (await station_ids(roster))[0]
    m001 = await member_by_code(roster, "M001")
    today = NOW.astimezone(TZ).date()
    async with roster.session() as session:
        turn = await set_turn(
            session,
            scope=await admin_scope(roster),
            station_id=station,
            member_id=m001.id or 0,
            day=today,
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
    listed = await member.send("/duty")
    assert "My duty turns" in member.texts(listed)[0]
    asked = await member.tap("I'm on duty here")
    assert any("Share your location at the station" in text for text in member.texts(asked))
    async with roster.session() as session:
        place = await session.get(Station, station)
    assert place is not None and place.latitude is not None and place.longitude is not None
    # About 1.1 km north of the station: not there yet.
    far = await member.location(place.latitude + 0.01, place.longitude)
    assert "m from the station" in member.texts(far)[0]
    async with roster.session() as session:
        assert (await session.execute(select(Activity.kind))).scalars().all() == []
    done = await member.location(place.latitude + 0.001, place.longitude)
    assert any("duty shift is logged" in text for text in member.texts(done))
    async with roster.session() as session:
        kinds = (await session.execute(select(Activity.kind))).scalars().all()
    assert kinds == ["station-duty"]
    twice = await member.press(DutyCB(action="in", id=turn.id or 0).pack())
    assert alerts(twice) == ["You are already checked in for this turn."]


async def test_forged_ids_are_refused(
    app: AppContext,
    dispatcher: Dispatcher,
    bot: Bot,
    resident: ChatUser,
    member: ChatUser,
    second_member: ChatUser,
    roster: Database,
) -> None:
    first, second = (await station_ids(roster))[:2]
    session_id = await a_session(app, first, starts=NOW + dt.timedelta(hours=1))
    admin = await admin_scope(roster)
    m001 = await member_by_code(roster, "M001")
    today = NOW.astimezone(TZ).date()
    async with roster.session() as session:
        point = await record_point(
            session,
            scope=admin,
            session_id=session_id,
            text="Broken lamps on Lane 5",
            now=NOW + dt.timedelta(hours=2),
        )
        turn = await set_turn(
            session,
            scope=admin,
            station_id=first,
            member_id=m001.id or 0,
            day=today,
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
        later = await set_turn(
            session,
            scope=admin,
            station_id=first,
            member_id=m001.id or 0,
            day=today + dt.timedelta(days=1),
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
    point_id, turn_id, later_id = point.id or 0, turn.id or 0, later.id or 0
    audits = await count(roster, AuditEntry)
    other_station = await station_staff(roster, dispatcher, bot, second)
    audits = await count(roster, AuditEntry)
    presses = [
        SessionCB(action="open", id=session_id).pack(),
        SessionCB(action="cancel", id=session_id).pack(),
        SessionCB(action="point", id=session_id).pack(),
        SessionCB(action="new", id=first).pack(),
        PointCB(action="case", id=point_id).pack(),
        DutyCB(action="rm", id=later_id).pack(),
        DutyCB(action="add", id=first).pack(),
        DutyCB(action="st", id=first).pack(),
        DutyCB(action="qr", id=first).pack(),
    ]
    for data in presses:
        sent = await other_station.press(data)
        assert alerts(sent), data
    for user in (resident, member):
        for data in presses:
            await user.press(data)
    stranger = await second_member.press(DutyCB(action="in", id=turn_id).pack())
    assert alerts(stranger) == ["This duty turn is not available."]
    outsider = await resident.press(DutyCB(action="in", id=turn_id).pack())
    assert alerts(outsider) == ["This duty turn is not available."]
    async with roster.session() as session:
        row = await session.get(StationSession, session_id)
        assert row is not None and row.cancelled_at is None
        assert (await session.get(SessionPoint, point_id)).issue_id is None  # type: ignore[union-attr]
        assert await session.get(DutyTurn, later_id) is not None
        checked = await session.get(DutyTurn, turn_id)
        assert checked is not None and checked.checked_in_at is None
    assert await count(roster, Issue) == 0
    assert await count(roster, Activity) == 0
    assert await count(roster, AuditEntry) == audits


async def test_station_card_shows_duty_and_sessions_and_takes_a_question(
    app: AppContext, resident: ChatUser, roster: Database
) -> None:
    async with roster.session() as session:
        jingde = next(s for s in await list_stations(session) if s.code == "xq-jingde")
    assert jingde.id is not None
    m001 = await member_by_code(roster, "M001")
    async with roster.session() as session:
        await set_turn(
            session,
            scope=await admin_scope(roster),
            station_id=jingde.id,
            member_id=m001.id or 0,
            day=NOW.astimezone(TZ).date(),
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
    await a_session(app, jingde.id)
    await resident.send("📍 Liaison stations")
    sent = await resident.press(resident.button("Jingde"))
    card = resident.texts(sent)[0]
    assert f"On duty today: {m001.name} (09:00–12:00)" in card
    assert "Open session: Lane 5 parking" in card
    asked = await resident.tap("Ask a question before the open session")
    assert any("Your question for the open session" in text for text in resident.texts(asked))
    await resident.send("Will the new lot be free at night?")
    assert await count(roster, SessionQuestion) == 1


async def test_the_station_code_checks_the_member_in(
    app: AppContext, office: ChatUser, member: ChatUser, resident: ChatUser, roster: Database
) -> None:
    station = (await station_ids(roster))[0]
    m001 = await member_by_code(roster, "M001")
    await office.send("/rota")
    await office.press(DutyCB(action="st", id=station).pack())
    shown = await office.tap("Duty check-in QR code")
    assert any(type(r).__name__ == "SendPhoto" for r in shown)
    async with roster.session() as session:
        token = await duty_code(session, station_id=station, now=NOW)
    # The station's public id is not its code: a member away from the station can't guess it.
    for guess in (f"duty-{station}", "duty-" + "A" * 16, "duty-../../x"):
        refused = await member.send(f"/start {guess}")
        assert "not a station's duty code" in member.texts(refused)[0]
    early = await member.send(f"/start duty-{token}")
    assert "not now" in member.texts(early)[0]
    async with roster.session() as session:
        await set_turn(
            session,
            scope=await admin_scope(roster),
            station_id=station,
            member_id=m001.id or 0,
            day=NOW.astimezone(TZ).date(),
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
    stranger = await resident.send(f"/start duty-{token}")
    assert "for the members on duty" in resident.texts(stranger)[0]
    done = await member.send(f"/start duty-{token}")
    assert "duty shift is logged" in member.texts(done)[0]
    twice = await member.send(f"/start duty-{token}")
    assert "already checked in" in member.texts(twice)[0]
    assert await count(roster, Activity) == 1
