"""The demo holds suggested topics and a published plan with a key and a long-running topic."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import build_context
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.clock import ManualClock
from services.topics.plan import planned_topics, published_plan
from storage.db import Database
from storage.models import Topic
from tests.conftest import START


async def test_a_published_plan_with_key_and_long_running_topics(
    sqlite_db: Database, settings: Settings
) -> None:
    clock = ManualClock(START)
    counts = await seed_demo_data(build_context(settings, sqlite_db, clock))
    again = await seed_demo_data(build_context(settings, sqlite_db, clock))
    assert counts["topics"] == 7 and again["topics"] == 0
    async with sqlite_db.session() as session:
        plan = await published_plan(session, year=START.year)
        assert plan is not None and plan.version == 1
        planned = await planned_topics(session, year=START.year)
        topics = (await session.execute(select(Topic))).scalars().all()
    assert any(entry.item.key for entry in planned)
    assert any(entry.topic.long_running for entry in planned)
    states = {topic.state for topic in topics}
    assert states == {"suggested", "shortlisted", "planned", "declined"}
    sources = {topic.source for topic in topics}
    assert {"resident", "member", "government_request"} <= sources
    assert all(t.station_id for t in topics if t.source == "resident")
