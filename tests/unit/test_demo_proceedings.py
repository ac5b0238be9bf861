"""The demo holds a consultation held three days ago, with speeches, remarks, steps, an outcome."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import build_context
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.clock import ManualClock
from storage.db import Database
from storage.models import (
    MeetingGuest,
    MeetingProceedings,
    MeetingStep,
    Outcome,
    OutcomeGuest,
    OutcomeMember,
    RemoteRemark,
    SpeechBooking,
)
from tests.conftest import START


async def test_a_consultation_from_speeches_to_outcome(
    sqlite_db: Database, settings: Settings
) -> None:
    clock = ManualClock(START)
    counts = await seed_demo_data(build_context(settings, sqlite_db, clock))
    again = await seed_demo_data(build_context(settings, sqlite_db, clock))
    assert counts["proceedings"] == 1 and again["proceedings"] == 0
    async with sqlite_db.session() as session:
        [settings_row] = (await session.execute(select(MeetingProceedings))).scalars().all()
        outcome = await session.get(Outcome, settings_row.outcome_id)
        assert outcome is not None
        [guest] = (
            (
                await session.execute(
                    select(MeetingGuest).where(MeetingGuest.meeting_id == outcome.meeting_id)
                )
            )
            .scalars()
            .all()
        )
        speeches = (await session.execute(select(SpeechBooking))).scalars().all()
        steps = (await session.execute(select(MeetingStep))).scalars().all()
        remarks = (await session.execute(select(RemoteRemark))).scalars().all()
        guests = (await session.execute(select(OutcomeGuest))).scalars().all()
        members = (
            (
                await session.execute(
                    select(OutcomeMember).where(OutcomeMember.outcome_id == settings_row.outcome_id)
                )
            )
            .scalars()
            .all()
        )
    assert outcome is not None and outcome.source == "meeting"
    assert outcome.consultation == "thematic"
    assert guest.identity_id is None and guest.redeemed_at is not None
    assert any(s.guest_id == guest.id for s in speeches)
    assert len(steps) == 4 and len(remarks) == 2
    assert [g.meeting_guest_id for g in guests] == [guest.id]
    assert len(members) == 3
