"""The service account's callback under strain: a slow handler, a stop, secure mode, a long step.

Each test runs the channel with a router of its own (``tests.support.wechat_app``), so a
handler can be held on an event: WeChat must still get its answer within the deadline, and an
update acknowledged with "success" is answered later even if the bot stopped meanwhile.
"""

from __future__ import annotations

import asyncio
import base64
import html
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import F, Router
from aiogram.types import Message
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import col

from bot.inbox import HANDLED, RECEIVED
from bot.settings import Settings
from fakes.wechat_server import FakeWeChat
from services.clock import ManualClock
from storage.db import Database
from storage.models import InboxUpdate
from tests.conftest import START
from tests.support.wechat_app import Steps, wechat_app, wechat_settings, wechat_user

# Short, so that the tests waiting for it are quick; WeChat's own is 5 s (the bot's 4 s).
DEADLINE = 0.5
LONG_LINE = "The answer goes on and on. " * 22  # three fit one message, four do not


@pytest.fixture
async def wechat() -> AsyncIterator[FakeWeChat]:
    async with FakeWeChat() as fake:
        fake.now = lambda: START
        yield fake


@pytest.fixture
def settings(tmp_path: Path, wechat: FakeWeChat) -> Settings:
    return wechat_settings(tmp_path, wechat, wechat_reply_deadline=DEADLINE)


def held_router(release: asyncio.Event, started: asyncio.Event) -> Router:
    """Answers "slow" once ``release`` is set, "long" with more than one step may say."""
    router = Router(name="held")

    @router.message(F.text == "slow")
    async def slow(message: Message) -> None:
        started.set()
        await release.wait()
        await message.answer("The slow answer.")

    @router.message(F.text == "long")
    async def long(message: Message) -> None:
        for number in range(1, 5):
            await message.answer(f"{number}. {LONG_LINE}")
        await message.answer_photo("M-a-photo-of-the-case")
        await message.answer("The last word.")

    @router.message()
    async def other(message: Message) -> None:
        await message.answer(f"You said {html.escape(message.text or '')}.")

    return router


async def states(settings: Settings) -> list[str]:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            rows = await session.execute(select(col(InboxUpdate.state)))
            return list(rows.scalars())
    finally:
        await db.dispose()


async def test_a_slow_handler_answers_success_in_time_then_a_follow_up(
    settings: Settings, wechat: FakeWeChat
) -> None:
    release, started = asyncio.Event(), asyncio.Event()
    async with wechat_app(settings, ManualClock(START), [held_router(release, started)]):
        person = wechat_user(settings, wechat, "o-slow-1")
        began = time.monotonic()
        status, body = await person.say("slow")
        took = time.monotonic() - began
        assert (status, body) == (200, "success")
        assert started.is_set()
        assert DEADLINE <= took < 4.5
        assert wechat.sent_to(person.openid) == []
        release.set()
        await wechat.wait_for_messages(person.openid, 1)
    [answer] = wechat.sent_to(person.openid)
    assert answer.text == "The slow answer." and not answer.passive


async def test_an_update_answered_success_survives_a_stop(
    settings: Settings, wechat: FakeWeChat
) -> None:
    never, started = asyncio.Event(), asyncio.Event()
    person = wechat_user(settings, wechat, "o-stop-1")
    async with wechat_app(settings, ManualClock(START), [held_router(never, started)]) as channel:
        channel.stop_timeout = 0.1
        assert await person.say("slow") == (200, "success")
        await started.wait()
    # Stopped in the middle of the handler: the update is kept, not handled.
    assert await states(settings) == [RECEIVED]
    assert wechat.sent_to(person.openid) == []

    release = asyncio.Event()
    release.set()
    async with wechat_app(settings, ManualClock(START), [held_router(release, asyncio.Event())]):
        await wechat.wait_for_messages(person.openid, 1)
    [answer] = wechat.sent_to(person.openid)
    assert answer.text == "The slow answer." and not answer.passive
    assert await states(settings) == [HANDLED]


async def test_secure_mode_end_to_end(tmp_path: Path, wechat: FakeWeChat) -> None:
    aes_key = base64.b64encode(bytes(range(32))).decode().rstrip("=")
    settings = wechat_settings(tmp_path, wechat, wechat_aes_key=SecretStr(aes_key))
    never = asyncio.Event()
    async with wechat_app(settings, ManualClock(START), [held_router(never, asyncio.Event())]):
        person = wechat_user(settings, wechat, "o-secure-1")
        assert person.crypto is not None
        status, xml = await person.say("hello <a> & 你好")
        assert status == 200
        # The passive reply came encrypted (the user decrypted it) and reads as sent.
        assert "<Encrypt>" not in xml
        [reply] = wechat.sent_to(person.openid)
        assert reply.passive and reply.text == "You said hello ＜a> & 你好."
        # A body encrypted with another key is refused, nothing handled.
        other_key = base64.b64encode(bytes(range(1, 33))).decode().rstrip("=")
        stranger = wechat_user(
            wechat_settings(tmp_path, wechat, wechat_aes_key=SecretStr(other_key)),
            wechat,
            "o-secure-2",
        )
        stranger.callback_url = person.callback_url
        status, _ = await stranger.say("hello")
        assert status in (400, 403)
        assert wechat.sent_to(stranger.openid) == []


async def test_a_long_step_costs_the_reply_and_two_follow_ups(
    settings: Settings, wechat: FakeWeChat
) -> None:
    release = asyncio.Event()
    release.set()
    async with wechat_app(
        settings, ManualClock(START), [held_router(release, asyncio.Event())]
    ) as channel:
        steps = Steps(channel)
        person = wechat_user(settings, wechat, "o-long-1")
        await person.say("long")
        await steps.wait(1)
    got = wechat.sent_to(person.openid)
    assert [item.passive for item in got] == [True, False, False], got
    # Every text arrived, in order; the image found no message left and was left out.
    texts = "\n".join(item.text for item in got)
    positions = [texts.index(f"{number}. The answer") for number in range(1, 5)]
    assert positions == sorted(positions)
    assert texts.rstrip().endswith("The last word.")
    assert all(item.kind == "text" for item in got)
