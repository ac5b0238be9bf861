"""With a Redis URL, dialog state and locks live in Redis; a restart keeps the draft."""

from __future__ import annotations

from aiogram import Bot

from bot.app import AppContext, build_dispatcher
from tests.support.chat import ChatUser
from tests.support.flows import CASE_NUMBER


async def test_draft_survives_a_restart_with_redis(redis_app: AppContext, bot: Bot) -> None:
    redis_app.channels[bot.id] = "telegram"
    first_dp = build_dispatcher(redis_app)
    assert type(first_dp.storage).__name__ == "RedisStorage"
    first = ChatUser(first_dp, bot, user_id=4001)
    await first.send("/report")
    await first.press(first.button("Bei'an"))
    await first.press(first.button("Parking"))
    await first_dp.storage.close()

    second_dp = build_dispatcher(redis_app)
    second = ChatUser(second_dp, bot, user_id=4001)
    sent = await second.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    assert "Step 4 of 6" in second.texts(sent)[0]
    await second.send("⏭ Skip")
    await second.send("⏭ Skip")
    await second.press(second.button("anonymous"))
    sent = await second.press(second.button("Submit"))
    assert any(CASE_NUMBER.search(text) for text in second.texts(sent))
    await second_dp.storage.close()
