"""The flood limit meets scripts, not people: a fast member, a real flood, the pause after it."""

from __future__ import annotations

import datetime as dt

from aiogram import Bot, Dispatcher

from bot.settings import Settings
from services.clock import ManualClock
from tests.support.chat import ChatUser

NOTICE = "You are sending messages very fast. Please wait a minute, then go on."
LIMIT: int = Settings.model_fields["flood_limit"].default
PACE = dt.timedelta(seconds=2)


async def test_a_member_logging_at_one_action_every_two_seconds_never_meets_the_limit(
    member: ChatUser, clock: ManualClock
) -> None:
    before = len(member.sent())
    steps = [
        lambda: member.send("🗓 Log an activity"),
        lambda: member.press(member.button("Forum with sector group people")),
        lambda: member.press(member.button("Yesterday")),
        lambda: member.press(member.button("My sector")),
        lambda: member.send("12"),
        lambda: member.press(member.button("王丽")),
        lambda: member.press(member.button("赵敏")),
        lambda: member.press(member.button("Done")),
        lambda: member.press(member.button("Jingde")),
        lambda: member.send("Forum with teachers about after-school care and homework load."),
        lambda: member.photo("act-1"),
        lambda: member.photo("act-2"),
        lambda: member.send("✅ Done"),
        lambda: member.press(member.button("Save")),
    ]
    # Four activities back to back: about two minutes of steady work, 30 actions a minute.
    for _activity in range(4):
        for step in steps:
            clock.advance(PACE)
            await step()
    texts = member.texts(member.sent()[before:])
    assert not [text for text in texts if "very fast" in text]
    assert sum("This quarter:" in text for text in texts) == 4


async def test_a_flood_is_told_once_in_the_language_the_chat_chose(
    dispatcher: Dispatcher, bot: Bot, clock: ManualClock
) -> None:
    # The app speaks Chinese; the chat chose English.
    resident = ChatUser(dispatcher, bot, user_id=1101, language_code="zh-hans")
    await resident.send("/language")
    sent = await resident.press(resident.button("English"))
    assert resident.texts(sent) == ["Language set: English."]
    clock.advance(dt.timedelta(seconds=61))
    notices = []
    for index in range(LIMIT + 20):
        sent = await resident.send(f"message number {index}")
        notices += [text for text in resident.texts(sent) if "very fast" in text or "太快" in text]
    assert notices == [NOTICE]


async def test_the_first_message_after_the_pause_is_answered_and_the_dialog_goes_on(
    member: ChatUser, clock: ManualClock
) -> None:
    await member.send("🗓 Log an activity")
    await member.press(member.button("Forum with sector group people"))
    await member.press(member.button("Yesterday"))
    await member.press(member.button("My sector"))
    clock.advance(dt.timedelta(seconds=61))
    # Type the people count, over and over, far faster than anyone types.
    flood = [member.texts(await member.send("many")) for _index in range(LIMIT + 10)]
    assert sum(NOTICE in texts for texts in flood) == 1
    assert flood[-1] == []
    # Typing on through the pause does not make it longer, nor gets answered.
    clock.advance(dt.timedelta(seconds=30))
    assert member.texts(await member.send("12")) == []
    clock.advance(dt.timedelta(seconds=31))
    sent = await member.send("12")
    assert "Step 5 of 8" in member.texts(sent)[0]
    sent = await member.press(member.button("Done"))
    assert "Step 6 of 8" in member.texts(sent)[-1]
