"""The demo's consultation with a guest: seeded once, and its README link makes a guest."""

from __future__ import annotations

from bot.app import build_context
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.accounts.identities import touch_identity
from services.clock import ManualClock
from services.consultations.drafts import comments_for_staff
from services.consultations.guest_invites import redeem_guest_token
from services.consultations.materials import materials_of
from services.consultations.research import tasks_of
from services.demo.consultation_guests import DEMO_GUEST_TOKEN
from storage.db import Database
from storage.enums import Role
from tests.conftest import START
from tests.support.notices import outbox


async def test_the_demo_consultation_and_its_guest(sqlite_db: Database, settings: Settings) -> None:
    clock = ManualClock(START)
    counts = await seed_demo_data(build_context(settings, sqlite_db, clock))
    again = await seed_demo_data(build_context(settings, sqlite_db, clock))
    assert counts["consultation_guests"] == 1 and again["consultation_guests"] == 0
    async with sqlite_db.session() as session:
        identity = await touch_identity(
            session, channel="web", chat_id=123_456, chat_type="private", now=START
        )
        guest = await redeem_guest_token(
            session, identity=identity, token=DEMO_GUEST_TOKEN, now=START
        )
        assert identity.role == Role.GUEST and guest.name == "李建国"
        meeting_id = guest.meeting_id
        assert len(await materials_of(session, meeting_id=meeting_id)) == 2
        assert len(await tasks_of(session, meeting_id=meeting_id)) == 1
        assert [name for _c, name in await comments_for_staff(session, meeting_id=meeting_id)]
    assert await outbox(sqlite_db, "draft-report")
