"""The demo's station work: an announced session with a question, a past one with a case,
the month's rota with today's turn; loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.app import build_context
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.clock import ManualClock
from services.stations.board import station_board
from storage.db import Database
from storage.models import DutyTurn, SessionPoint, SessionQuestion, StationSession
from tests.conftest import START


async def test_demo_sessions_and_rota(sqlite_db: Database, settings: Settings) -> None:
    clock = ManualClock(START)
    counts = await seed_demo_data(build_context(settings, sqlite_db, clock))
    again = await seed_demo_data(build_context(settings, sqlite_db, clock))
    assert counts["duty_turns"] > 10 and again["duty_turns"] == 0
    async with sqlite_db.session() as session:
        sessions = (await session.execute(select(StationSession))).scalars().all()
        questions = (await session.execute(select(SessionQuestion))).scalars().all()
        points = (await session.execute(select(SessionPoint))).scalars().all()
        turns = (await session.execute(select(DutyTurn))).scalars().all()
        coming = [row for row in sessions if row.starts_at > START]
        assert len(coming) == 1 and coming[0].starts_at < START + dt.timedelta(days=7)
        assert [q.session_id for q in questions] == [coming[0].id]
        assert sorted(p.issue_id is not None for p in points) == [False, True]
        board = await station_board(
            session, station_id=coming[0].station_id, now=START, tz=settings.tz
        )
    assert [row.id for row in board.sessions] == [coming[0].id]
    assert len(board.duty) == 1
    assert {turn.day.month for turn in turns} == {START.astimezone(settings.tz).month}
