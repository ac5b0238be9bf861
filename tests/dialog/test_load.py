"""Many chats at once: nothing deadlocks, nothing is lost."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select

from storage.db import Database
from storage.models import FsmRecord
from tests.support.chat import ChatUser

CHATS = 120


async def test_a_burst_of_chats_does_not_exhaust_the_pool(
    dispatcher: Dispatcher, bot: Bot, sqlite_db: Database
) -> None:
    # Picking a station reads the station through the update's session (one connection,
    # held) and then writes the dialog state (a second one). A burst of far more chats
    # than pooled connections must not leave every update holding one and awaiting another.
    users = [ChatUser(dispatcher, bot, user_id=50_000 + n) for n in range(CHATS)]
    presses = []
    for user in users:
        card = await user.send("/report")
        presses.append(user.press(bei_an(card)))
    await asyncio.wait_for(asyncio.gather(*presses), timeout=60)
    async with sqlite_db.session() as session:
        rows = (await session.execute(select(FsmRecord.key, FsmRecord.data))).all()
    drafts = [json.loads(data) for key, data in rows if ":aiogd:context:" in key]
    assert len(drafts) == CHATS
    assert {draft["state"] for draft in drafts} == {"ReportForm:category"}
    assert all(draft["dialog_data"]["station_id"] == 4 for draft in drafts)


def bei_an(sent: list[TelegramMethod[Any]]) -> str:
    """The callback data of the Bei'an station on the card this chat was sent."""
    for request in sent:
        markup = getattr(request, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            for row in markup.inline_keyboard:
                for button in row:
                    if "Bei'an" in button.text and button.callback_data:
                        return button.callback_data
    raise AssertionError("no station card")
