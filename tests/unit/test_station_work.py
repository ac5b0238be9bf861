"""Open sessions and the duty rota on SQLite and PostgreSQL: scope, notices, limits, check-in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from services.accounts.scope import StaffScope, scope_of
from services.accounts.staff import add_staff
from services.audit import list_entries
from services.broadcasts.subscriptions import subscribe
from services.errors import DomainError
from services.members.rules import RuleBook
from services.outbox.queue import OutboxState
from services.reference.catalog import list_categories, list_stations
from services.reminders.duty_turns import duty_turn_reminders
from services.reminders.planning import queue_dues
from services.reminders.settings import ReminderSettings
from services.stations.board import station_board
from services.stations.checkin import check_in_turn
from services.stations.points import point_to_case, record_point
from services.stations.questions import QUESTIONS_PER_RESIDENT, ask_question
from services.stations.rota import TurnState, remove_turn, rota, set_turn
from services.stations.sessions import (
    SessionDraft,
    cancel_session,
    edit_session,
    schedule_session,
)
from storage.db import Database
from storage.enums import StaffRole
from storage.models import Activity, Issue, StationSession
from tests.support.factories import add_chats
from tests.support.members import NOW, member_by_code
from tests.support.notices import message_of, notifier, outbox

TZ = ZoneInfo("Asia/Shanghai")
STARTS = NOW + dt.timedelta(days=3)


async def scopes(db: Database) -> tuple[StaffScope, StaffScope, StaffScope, list[int]]:
    """An admin, staff of the first station, staff of the second; and the station ids."""
    async with db.session() as session:
        stations = [s.id or 0 for s in await list_stations(session)]
        admin = await add_staff(session, name="Admin", now=NOW)
        here = await add_staff(
            session, name="Here", role=StaffRole.STATION, now=NOW, station_ids=[stations[0]]
        )
        there = await add_staff(
            session, name="There", role=StaffRole.STATION, now=NOW, station_ids=[stations[1]]
        )
        return (
            await scope_of(session, admin),
            await scope_of(session, here),
            await scope_of(session, there),
            stations,
        )


def draft(station_id: int, **changes: object) -> SessionDraft:
    values: dict[str, object] = {
        "station_id": station_id,
        "title": "Parking in Lane 5",
        "starts_at": STARTS,
        "ends_at": STARTS + dt.timedelta(hours=2),
        "venue": "Community hall",
        "description": "Bring your <questions>",
    }
    values.update(changes)
    return SessionDraft(**values)  # type: ignore[arg-type]


async def schedule(db: Database, scope: StaffScope, station_id: int, **changes: object) -> int:
    async with db.session() as session:
        row = await schedule_session(
            session, scope=scope, draft=draft(station_id, **changes), notifier=notifier(), now=NOW
        )
        assert row.id is not None
        return row.id


async def test_scheduling_scope_and_audit(db: Database) -> None:
    admin, here, there, stations = await scopes(db)
    first = await schedule(db, here, stations[0])
    await schedule(db, admin, stations[1])
    with pytest.raises(DomainError) as refused:
        await schedule(db, there, stations[0])
    assert refused.value.code == "out_of_scope"
    async with db.session() as session:
        with pytest.raises(DomainError) as unknown:
            await cancel_session(
                session, scope=there, session_id=first, notifier=notifier(), now=NOW
            )
        assert unknown.value.code == "session_unknown"
        with pytest.raises(DomainError) as past:
            await schedule_session(
                session,
                scope=admin,
                draft=draft(stations[0], starts_at=NOW - dt.timedelta(hours=1)),
                notifier=notifier(),
                now=NOW,
            )
        assert past.value.code == "session_in_past"
        entries = await list_entries(session, action="station_session.schedule")
    assert {entry.actor_name for entry in entries} == {"Here", "Admin"}


async def test_announcement_goes_to_subscribers_once_per_version(db: Database) -> None:
    admin, here, _there, stations = await scopes(db)
    subscribers = await add_chats(db, [501, 502])
    outsider = (await add_chats(db, [503]))[0]
    async with db.session() as session:
        for identity in subscribers:
            await subscribe(session, identity_id=identity.id or 0, station_id=stations[0], now=NOW)
        await subscribe(session, identity_id=outsider.id or 0, station_id=stations[1], now=NOW)
    session_id = await schedule(db, here, stations[0])
    announced = await outbox(db, "station-session")
    assert sorted(row.identity_id for row in announced) == sorted(i.id for i in subscribers)
    assert {row.dedupe_key for row in announced} == {
        f"station-session:{session_id}:v1:{i.id}" for i in subscribers
    }
    text = message_of(announced[0]).text
    assert "Parking in Lane 5" in text and "&lt;questions&gt;" in text
    eve = await outbox(db, "station-session-eve")
    assert {row.due_at for row in eve} == {STARTS - dt.timedelta(days=1)}
    async with db.session() as session:
        await edit_session(
            session,
            scope=admin,
            session_id=session_id,
            draft=draft(stations[0], venue="Library"),
            notifier=notifier(),
            now=NOW,
        )
    announced = await outbox(db, "station-session")
    assert len(announced) == 4
    assert "Library" in message_of(announced[-1]).text
    eve = await outbox(db, "station-session-eve")
    assert sorted(row.state for row in eve) == ["cancelled", "cancelled", "pending", "pending"]
    async with db.session() as session:
        await cancel_session(
            session, scope=here, session_id=session_id, notifier=notifier(), now=NOW
        )
    assert len(await outbox(db, "station-session-cancelled")) == 2
    eve = await outbox(db, "station-session-eve")
    assert {row.state for row in eve} == {OutboxState.CANCELLED}


async def test_questions_until_the_start(db: Database) -> None:
    _admin, here, _there, stations = await scopes(db)
    session_id = await schedule(db, here, stations[0])
    resident = (await add_chats(db, [601]))[0]
    async with db.session() as session:
        for number in range(QUESTIONS_PER_RESIDENT):
            await ask_question(
                session,
                identity_id=resident.id or 0,
                session_id=session_id,
                text=f"Question number {number}",
                now=NOW,
            )
        with pytest.raises(DomainError) as many:
            await ask_question(
                session,
                identity_id=resident.id or 0,
                session_id=session_id,
                text="One more?",
                now=NOW,
            )
        assert many.value.code == "questions_too_many"
        with pytest.raises(DomainError) as short:
            await ask_question(
                session, identity_id=resident.id or 0, session_id=session_id, text="?", now=NOW
            )
        assert short.value.code == "question_short"
        with pytest.raises(DomainError) as late:
            await ask_question(
                session,
                identity_id=resident.id or 0,
                session_id=session_id,
                text="Too late for this one",
                now=STARTS,
            )
        assert late.value.code == "session_questions_closed"
        with pytest.raises(DomainError) as unknown:
            await ask_question(
                session,
                identity_id=resident.id or 0,
                session_id=99999,
                text="Anyone here?",
                now=NOW,
            )
        assert unknown.value.code == "session_unknown"


async def test_point_becomes_a_case_once(db: Database) -> None:
    _admin, here, there, stations = await scopes(db)
    async with db.session() as session:
        category = (await list_categories(session))[0].id
    session_id = await schedule(db, here, stations[0], category_id=category)
    async with db.session() as session:
        with pytest.raises(DomainError) as early:
            await record_point(
                session, scope=here, session_id=session_id, text="Cars block the fire lane", now=NOW
            )
        assert early.value.code == "session_not_started"
        point = await record_point(
            session, scope=here, session_id=session_id, text="Cars block the fire lane", now=STARTS
        )
        assert point.id is not None
        with pytest.raises(DomainError) as foreign:
            await point_to_case(session, scope=there, point_id=point.id, now=STARTS, tz=TZ)
        assert foreign.value.code == "point_unknown"
        first = await point_to_case(session, scope=here, point_id=point.id, now=STARTS, tz=TZ)
        again = await point_to_case(session, scope=here, point_id=point.id, now=STARTS, tz=TZ)
        assert first.id == again.id
        assert first.station_id == stations[0] and first.category_id == category
        assert first.resident_id is None and first.channel == "session"
        count = (await session.execute(select(func.count()).select_from(Issue))).scalar_one()
        assert count == 1
        row = await session.get(StationSession, session_id)
        assert row is not None


async def test_rota_double_booking_checkin_and_missed(roster: Database) -> None:
    admin, here, there, stations = await scopes(roster)
    member = await member_by_code(roster, "M001")
    other = await member_by_code(roster, "M002")
    today = NOW.astimezone(TZ).date()  # NOW is 10:00 in Shanghai
    async with roster.session() as session:
        now_turn = await set_turn(
            session,
            scope=here,
            station_id=stations[0],
            member_id=member.id or 0,
            day=today,
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
        now_id = now_turn.id or 0
        with pytest.raises(DomainError) as double:
            await set_turn(
                session,
                scope=admin,
                station_id=stations[1],
                member_id=member.id or 0,
                day=today,
                start_hour=11,
                end_hour=14,
                now=NOW,
                tz=TZ,
            )
        assert double.value.code == "turn_double_booked"
        with pytest.raises(DomainError) as scope_refused:
            await set_turn(
                session,
                scope=there,
                station_id=stations[0],
                member_id=other.id or 0,
                day=today,
                start_hour=13,
                end_hour=15,
                now=NOW,
                tz=TZ,
            )
        assert scope_refused.value.code == "out_of_scope"
        later = await set_turn(
            session,
            scope=admin,
            station_id=stations[0],
            member_id=other.id or 0,
            day=today,
            start_hour=14,
            end_hour=16,
            now=NOW,
            tz=TZ,
        )
        later_id = later.id or 0
        tomorrow = await set_turn(
            session,
            scope=admin,
            station_id=stations[0],
            member_id=member.id or 0,
            day=today + dt.timedelta(days=1),
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
        tomorrow_id = tomorrow.id or 0
        rulebook = RuleBook()
        with pytest.raises(DomainError) as not_now:
            await check_in_turn(
                session,
                member_id=other.id or 0,
                turn_id=later_id,
                now=NOW,
                tz=TZ,
                rulebook=rulebook,
                summary="Duty shift at the station",
            )
        assert not_now.value.code == "turn_not_now"
        with pytest.raises(DomainError) as foreign:
            await check_in_turn(
                session,
                member_id=other.id or 0,
                turn_id=now_id,
                now=NOW,
                tz=TZ,
                rulebook=rulebook,
                summary="Duty shift at the station",
            )
        assert foreign.value.code == "turn_unknown"
        done = await check_in_turn(
            session,
            member_id=member.id or 0,
            turn_id=now_id,
            now=NOW,
            tz=TZ,
            rulebook=rulebook,
            summary="Duty shift at the station",
        )
        assert done.checked_in_at == NOW and done.activity_id is not None
        activity = await session.get(Activity, done.activity_id)
        assert activity is not None and activity.kind == "station-duty"
        with pytest.raises(DomainError) as twice:
            await check_in_turn(
                session,
                member_id=member.id or 0,
                turn_id=now_id,
                now=NOW,
                tz=TZ,
                rulebook=rulebook,
                summary="Duty shift at the station",
            )
        assert twice.value.code == "turn_checked_in"
        evening = NOW + dt.timedelta(hours=8)
        lines = await rota(
            session, scope=here, station_id=stations[0], start=today, days=2, now=evening
        )
        assert [line.state for line in lines] == [
            TurnState.CHECKED_IN,
            TurnState.MISSED,
            TurnState.UPCOMING,
        ]
        board = await station_board(session, station_id=stations[0], now=NOW, tz=TZ)
        assert [name for _turn, name in board.duty] == [member.name, other.name]
        with pytest.raises(DomainError):
            await remove_turn(session, scope=there, turn_id=tomorrow_id, now=NOW)
        await remove_turn(session, scope=here, turn_id=tomorrow_id, now=NOW)
        activities = (
            await session.execute(select(func.count()).select_from(Activity))
        ).scalar_one()
        assert activities == 1


async def test_day_before_reminder_once_per_turn(roster: Database) -> None:
    _admin, here, _there, stations = await scopes(roster)
    member = await member_by_code(roster, "M001")
    today = NOW.astimezone(TZ).date()
    settings = ReminderSettings()
    async with roster.session() as session:
        turn = await set_turn(
            session,
            scope=here,
            station_id=stations[0],
            member_id=member.id or 0,
            day=today + dt.timedelta(days=1),
            start_hour=9,
            end_hour=12,
            now=NOW,
            tz=TZ,
        )
        turn_id = turn.id
        early = dt.datetime.combine(today, dt.time(7), tzinfo=TZ)
        assert await duty_turn_reminders(session, now=early, tz=TZ, settings=settings) == []
        dues = await duty_turn_reminders(session, now=NOW, tz=TZ, settings=settings)
        assert await queue_dues(session, dues, notifier=notifier(), now=NOW) == 1
        dues = await duty_turn_reminders(session, now=NOW, tz=TZ, settings=settings)
        assert await queue_dues(session, dues, notifier=notifier(), now=NOW) == 0
    rows = await outbox(roster, "duty-turn-reminder")
    assert [row.dedupe_key for row in rows] == [f"duty-turn:{turn_id}:eve:{rows[0].identity_id}"]
    assert "/duty" in message_of(rows[0]).text
