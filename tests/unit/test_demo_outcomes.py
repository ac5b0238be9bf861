"""The demo holds an outcome at each of the six stages; the demo resident heard how one ended."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from bot.app import build_context
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.clock import ManualClock
from services.demo.cases import DEMO_DEPARTMENT_CHAT_ID, DEMO_RESIDENT_CHAT_ID
from storage.db import Database
from storage.models import Handling, Outcome, OutcomeIssue, Suggestion
from tests.conftest import START
from tests.support.notices import outbox


async def test_an_outcome_at_each_stage(sqlite_db: Database, settings: Settings) -> None:
    clock = ManualClock(START)
    counts = await seed_demo_data(build_context(settings, sqlite_db, clock))
    again = await seed_demo_data(build_context(settings, sqlite_db, clock))
    assert counts["outcomes"] == 6 and again["outcomes"] == 0
    async with sqlite_db.session() as session:
        # The six formed from research; the demo consultation forms its own (test_demo_proceedings).
        of_outcomes = col(Suggestion.outcome_id).in_(
            select(Outcome.id).where(col(Outcome.source) == "research")
        )
        stages = sorted(
            (await session.execute(select(Suggestion.stage).where(of_outcomes))).scalars()
        )
        open_items = (
            (
                await session.execute(
                    select(Handling)
                    .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
                    .where(col(Handling.answered_at).is_(None), of_outcomes)
                )
            )
            .scalars()
            .all()
        )
        links = (await session.execute(select(OutcomeIssue))).scalars().all()
    assert stages == sorted(["formed", "submitted", "reviewed", "assigned", "handled", "fed_back"])
    assert len(open_items) == 1
    assert [link.told_at is not None for link in links] == [True]
    # Three were assigned on their way: to assigned, handled and fed back.
    assigned = await outbox(sqlite_db, "outcome-assigned")
    assert [row.chat_id for row in assigned] == [DEMO_DEPARTMENT_CHAT_ID] * 3
    assert [row.chat_id for row in await outbox(sqlite_db, "outcome-told")] == [
        DEMO_RESIDENT_CHAT_ID
    ]
