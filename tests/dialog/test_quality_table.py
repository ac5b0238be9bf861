"""/quality: administrators page through the departments; station staff are refused."""

from __future__ import annotations

from aiogram import Bot, Dispatcher

from services.accounts.identities import touch_identity
from services.accounts.staff import add_staff, bind_staff
from storage.db import Database, write_transaction
from storage.enums import StaffRole
from storage.models import PipelineRating
from tests.support.chat import ChatUser
from tests.support.members import NOW
from tests.support.pipeline_fixtures import department, member_ids, outcome


async def test_pages_for_administrators_none_for_station_staff(
    roster: Database, office: ChatUser, dispatcher: Dispatcher, bot: Bot
) -> None:
    ids = await member_ids(roster)
    _oid, (item,) = await outcome(roster, number="2026-C-0001", stages=[("handled", NOW)], key=True)
    departments = [await department(roster, f"d{n:02}") for n in range(12)]
    async with roster.session() as session, write_transaction(session):
        for rank, department_id in enumerate(departments):
            session.add(
                PipelineRating(
                    subject=f"suggestion:{item}",
                    purpose="quality",
                    department_id=department_id,
                    rater_kind="member",
                    rater_id=ids["M001"],
                    value="satisfied" if rank < 11 else "unsatisfied",
                    created_at=NOW,
                )
            )
    sent = await office.send("/quality 2026")
    text = office.texts(sent)[-1]
    assert "page 1 of 2" in text and "1. d00局" not in text  # names follow the reader
    assert "d00 bureau: 100.0 points" in text and "d11 bureau" not in text
    sent = await office.tap("Next")
    text = office.texts(sent)[-1]
    assert "page 2 of 2" in text and "12. d11 bureau: 0.0 points" in text
    sent = await office.send("/quality 2025")
    assert "No department has been rated this year yet." in office.texts(sent)[-1]

    async with roster.session() as session:
        staff = await add_staff(session, name="李梅", role=StaffRole.STATION, now=NOW)
        identity = await touch_identity(
            session, channel="telegram", chat_id=8002, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    station = ChatUser(dispatcher, bot, user_id=8002)
    sent = await station.send("/quality")
    assert station.texts(sent) == [
        "The quality table is for the committee office's administrators."
    ]
