"""The demo data: every persona has something to do, and loading it twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col

from bot.app import build_context
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.accounts.departments import department_of_identity
from services.accounts.identities import find_identity
from services.clock import ManualClock
from services.demo.cases import DEMO_DEPARTMENT_CHAT_ID
from storage.db import Database
from storage.models import Issue
from tests.conftest import START
from tests.support.notices import outbox


async def test_demo_cases_and_personas(sqlite_db: Database, settings: Settings) -> None:
    clock = ManualClock(START)
    counts = await seed_demo_data(build_context(settings, sqlite_db, clock))
    again = await seed_demo_data(build_context(settings, sqlite_db, clock))
    assert counts["cases"] == 3 and again["cases"] == 0
    async with sqlite_db.session() as session:
        statuses = (
            # Residents' own cases; the demo open session's point made a case for nobody.
            await session.execute(
                select(Issue.status, func.count())
                .where(col(Issue.resident_id).is_not(None))
                .group_by(Issue.status)
            )
        ).all()
        identity = await find_identity(session, channel="web", chat_id=DEMO_DEPARTMENT_CHAT_ID)
        assert identity is not None and identity.id is not None
        department = await department_of_identity(session, identity_id=identity.id)
    assert dict(statuses) == {"new": 1, "assigned": 2}
    assert department is not None and department.code == "housing"
    assigned = await outbox(sqlite_db, "case-assigned")
    assert sorted(row.chat_id for row in assigned) == [900_000_000_001, DEMO_DEPARTMENT_CHAT_ID]
