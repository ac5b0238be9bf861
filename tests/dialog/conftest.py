"""Dialog fixtures: the sample roster, chats linked by invitation, and the app on Redis."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher

from bot.app import AppContext, build_context
from bot.settings import Settings
from services.accounts.invites import issue_invite
from services.clock import ManualClock
from storage.db import Database
from tests.conftest import missing, worker_redis_url
from tests.support.chat import ChatUser
from tests.support.members import NOW, import_sample, member_by_code

REDIS_URL = worker_redis_url()


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


async def link_office(db: Database, chat_id: int) -> None:
    """Add 王芳 as staff and link her Telegram chat ``chat_id``, as the CLI does."""
    from services.accounts.identities import touch_identity
    from services.accounts.staff import add_staff, bind_staff
    from storage.db import write_transaction

    async with db.session() as session:
        staff = await add_staff(session, name="王芳", now=NOW)
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)


@pytest.fixture
async def office(roster: Database, dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    """王芳, staff, her Telegram chat linked by the CLI."""
    await link_office(roster, 8001)
    return ChatUser(dispatcher, bot, user_id=8001)


@pytest.fixture
async def second_member(roster: Database, dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    """李文静 (M002)."""
    user = ChatUser(dispatcher, bot, user_id=7002)
    sent = await user.send(f"/start inv-{await invitation(roster, 'M002')}")
    assert "now linked" in user.texts(sent)[0]
    return user


@pytest.fixture
async def redis_app(settings: Settings, sqlite_db: Database, clock: ManualClock) -> AppContext:
    """The app with its dialog state (and rate limits) in a flushed Redis database."""
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = Redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    except (RedisConnectionError, OSError) as error:
        await client.aclose()
        missing(f"Redis not reachable at {REDIS_URL}: {error}")
    await client.aclose()
    return build_context(settings.model_copy(update={"redis_url": REDIS_URL}), sqlite_db, clock)
