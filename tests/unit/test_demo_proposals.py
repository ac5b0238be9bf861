"""The demo holds a proposal at each state, with work waiting for every persona."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlmodel import col

from bot.app import build_context
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.clock import ManualClock
from services.demo.cases import DEMO_DEPARTMENT_CHAT_ID
from services.demo.data import DEMO_MEMBER_CHAT_ID
from services.demo.proposals import DEMO_PROPOSALS
from storage.db import Database
from storage.enums import ProposalState
from storage.models import Proposal
from tests.conftest import START
from tests.support.notices import outbox


async def test_a_proposal_at_each_state(sqlite_db: Database, settings: Settings) -> None:
    clock = ManualClock(START)
    counts = await seed_demo_data(build_context(settings, sqlite_db, clock))
    again = await seed_demo_data(build_context(settings, sqlite_db, clock))
    assert counts["proposals"] == len(DEMO_PROPOSALS) and again["proposals"] == 0
    titles = [entry.title for entry in DEMO_PROPOSALS]
    async with sqlite_db.session() as session:
        rows = (
            await session.execute(select(Proposal).where(col(Proposal.title).in_(titles)))
        ).scalars()
        proposals = {p.title: p for p in rows}
    assert Counter(p.state for p in proposals.values()) == Counter(set(ProposalState))
    numbers = [p.number for p in proposals.values() if p.number]
    # Registered after the assessment's demo years: their numbers were passed over.
    assert len(set(numbers)) == len(numbers) == 5
    closed = next(p for p in proposals.values() if p.state == ProposalState.CLOSED)
    assert closed.public and closed.satisfaction == "satisfied"
    again_round = next(p for p in proposals.values() if p.state == ProposalState.REHANDLING)
    assert again_round.handling_round == 2
    # The department persona was given work, and the member persona was asked to rate.
    assert DEMO_DEPARTMENT_CHAT_ID in {
        row.chat_id for row in await outbox(sqlite_db, "proposal-assigned")
    }
    assert DEMO_MEMBER_CHAT_ID in {
        row.chat_id for row in await outbox(sqlite_db, "proposal-answered")
    }
