"""Sends to one WeCom member are spaced under WeCom's limits: a burst arrives whole."""

from __future__ import annotations

import asyncio
import datetime as dt

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.wecom.api import WeComAPI
from bot.channels.wecom.session import WECOM_BOT_TOKEN, WeComSession
from bot.channels.wecom.spacing import Spacer
from bot.rate_limits import clocked_window_storage
from fakes.wecom import FakeWeCom
from services.chats.wecom_users import wecom_chat_id
from services.clock import ManualClock
from storage.db import Database
from tests.conftest import START


def session_on(fake: FakeWeCom, db: Database, clock: ManualClock) -> WeComSession:
    api = WeComAPI(fake.base_url, corp_id=fake.corp_id, secret=fake.secret, agent_id=1000002)
    stamp = lambda: clock.now().timestamp()  # noqa: E731
    spacer = Spacer(clocked_window_storage(None, stamp), stamp, per_minute=30, per_hour=1000)
    return WeComSession(api, db, clock, spacer, map_template="https://m/?{lat},{lon}")


async def test_a_burst_of_forty_arrives_whole_and_spaced(db: Database) -> None:
    clock = ManualClock(START)
    async with FakeWeCom(now=clock.now) as fake:
        session = session_on(fake, db, clock)
        bot = Bot(WECOM_BOT_TOKEN, session=session)
        async with db.session() as s:
            chat_id = await wecom_chat_id(s, userid="wangwu", now=START)
        sends = [asyncio.create_task(bot.send_message(chat_id, f"Notice {n}")) for n in range(40)]
        await fake.wait_for_messages("wangwu", 30)
        assert len(fake.delivered("wangwu")) == 30 and not all(t.done() for t in sends)
        clock.advance(dt.timedelta(seconds=61))
        await fake.wait_for_messages("wangwu", 40)
        await asyncio.gather(*sends)
        assert fake.dropped() == []
        assert {s.text for s in fake.delivered("wangwu")} == {f"Notice {n}" for n in range(40)}
        await session.close()


async def test_cards_tokens_renewal_and_an_invisible_person(db: Database) -> None:
    clock = ManualClock(START)
    async with FakeWeCom(now=clock.now) as fake:
        session = session_on(fake, db, clock)
        bot = Bot(WECOM_BOT_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        async with db.session() as s:
            chat_id = await wecom_chat_id(s, userid="zhaoliu", now=START)
            hidden = await wecom_chat_id(s, userid="hidden", now=START)
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="yes-1")]]
        )
        sent = await bot.send_message(chat_id, "<b>Come?</b>", reply_markup=keyboard)
        card = fake.delivered("zhaoliu")[-1]
        assert card.msgtype == "template_card" and card.text == "Come?"
        # An expired token is renewed once and the call repeated.
        fake.expire_tokens()
        await bot.send_message(chat_id, "again")
        assert fake.delivered("zhaoliu")[-1].text == "again"
        assert fake.calls.count("gettoken") == 2
        # Not editable without a click's response code: the edit is a new message.
        edited = await bot.edit_message_text("Changed", chat_id=chat_id, message_id=sent.message_id)
        assert not isinstance(edited, bool) and edited.message_id != sent.message_id
        fake.invisible.add("hidden")
        try:
            await bot.send_message(hidden, "hello")
        except TelegramForbiddenError:
            pass
        else:
            raise AssertionError("81013 should be a forbidden chat")
        finally:
            await session.close()
