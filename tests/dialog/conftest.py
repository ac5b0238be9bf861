"""Dialog fixtures for members: the sample roster and a chat linked by invitation."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher

from services.invites import issue_invite
from storage.db import Database
from tests.support.chat import ChatUser
from tests.support.members import NOW, import_sample, member_by_code


async def invitation(db: Database, code: str = "M001") -> str:
    member = await member_by_code(db, code)
    assert member.id is not None
    async with db.session() as session:
        return (await issue_invite(session, member_id=member.id, now=NOW)).code


@pytest.fixture
async def roster(sqlite_db: Database) -> Database:
    await import_sample(sqlite_db)
    return sqlite_db


@pytest.fixture
async def member(roster: Database, dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    """张建华 (M001, education sector, paired with four people, serves at Jingde Street)."""
    user = ChatUser(dispatcher, bot, user_id=7001)
    sent = await user.send(f"/start inv-{await invitation(roster)}")
    assert "now linked to your member record" in user.texts(sent)[0]
    return user
