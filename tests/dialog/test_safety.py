"""Group chats, floods and replayed updates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from bot.app import AppContext, build_dispatcher
from bot.settings import Settings
from services.clock import ManualClock
from tests.support.chat import ChatUser

NOTICE = "You are sending messages very fast. Please wait a minute, then go on."
# Typed messages a minute per chat (presses may be twice as many), as the fixtures leave it.
LIMIT: int = Settings.model_fields["flood_limit"].default


def group_update(update_id: int, text: str, *, chat_id: int = -100500) -> Update:
    return Update(
        update_id=update_id,
        message=Message(
            message_id=update_id,
            date=dt.datetime.now(dt.UTC),
            chat=Chat(id=chat_id, type="supergroup", title="Neighbours"),
            from_user=User(id=77, is_bot=False, first_name="Neighbour", language_code="en"),
            text=text,
        ),
    )


async def test_group_is_told_once_then_ignored(dispatcher: Dispatcher, bot: Bot) -> None:
    session = bot.session
    await dispatcher.feed_update(bot, group_update(9001, "/start"))
    await dispatcher.feed_update(bot, group_update(9002, "📝 Report an issue"))
    await dispatcher.feed_update(bot, group_update(9003, "hello bot"))
    sent = [r for r in session.requests if isinstance(r, SendMessage)]  # type: ignore[attr-defined]
    assert len(sent) == 1
    assert sent[0].chat_id == -100500 and "only talk in private chats" in sent[0].text
    await dispatcher.feed_update(bot, group_update(9004, "/start", chat_id=-100600))
    assert len(session.requests) == 2  # type: ignore[attr-defined]


async def test_flood_gets_one_notice_and_the_rest_is_dropped(
    resident: ChatUser, clock: ManualClock
) -> None:
    answered = 0
    notices = 0
    for index in range(LIMIT + 10):
        sent = await resident.send(f"message number {index}")
        for text in resident.texts(sent):
            if "very fast" in text:
                notices += 1
            else:
                answered += 1
    assert answered == LIMIT
    assert notices == 1
    clock.advance(dt.timedelta(seconds=61))
    sent = await resident.send("/start")
    assert "Welcome" in resident.texts(sent)[0]


def flood_notices(user: ChatUser, sent: list[Any]) -> int:
    return sum("very fast" in text for text in user.texts(sent))


async def test_a_chat_that_keeps_typing_through_its_pause_is_answered_after_it(
    resident: ChatUser, clock: ManualClock
) -> None:
    for index in range(LIMIT + 5):
        await resident.send(f"message number {index}")
    clock.advance(dt.timedelta(seconds=30))
    # Still paused: dropped without another notice, and without making the pause longer.
    for index in range(LIMIT + 5):
        sent = await resident.send(f"are you there {index}")
        assert flood_notices(resident, sent) == 0 and not [
            text for text in resident.texts(sent) if "very fast" not in text
        ]
    clock.advance(dt.timedelta(seconds=31))
    sent = await resident.send("/start")
    assert "Welcome" in resident.texts(sent)[0]


async def test_each_pause_has_its_own_notice(resident: ChatUser, clock: ManualClock) -> None:
    notices = 0
    for _pause in range(2):
        for index in range(LIMIT + 1):
            notices += flood_notices(resident, await resident.send(f"message number {index}"))
        clock.advance(dt.timedelta(seconds=61))
    assert notices == 2


async def test_pressing_buttons_in_a_flood_is_answered_quietly(
    resident: ChatUser, bot: Bot
) -> None:
    for _index in range(2 * LIMIT):
        await resident.press("anything")
    press = Update(
        update_id=626262,
        callback_query=CallbackQuery(
            id="flood-press",
            from_user=resident.user,
            chat_instance="flood",
            message=Message(
                message_id=1,
                date=dt.datetime.now(dt.UTC),
                chat=resident.chat,
                from_user=resident.user,
                text="a card",
            ),
            data="anything",
        ),
    )
    notice = "You are sending messages very fast. Please wait a minute, then go on."
    # Every press gets its spinner stopped with the notice; the chat is written to once.
    for number, expected_messages in ((1, [notice]), (2, [])):
        sent = await resident.feed(press.model_copy(update={"update_id": press.update_id + number}))
        answers = [r.text for r in sent if isinstance(r, AnswerCallbackQuery)]
        assert answers == [notice]
        assert [r.text for r in sent if isinstance(r, SendMessage)] == expected_messages


async def test_flood_of_one_chat_does_not_silence_another(
    resident: ChatUser, other_resident: ChatUser
) -> None:
    for index in range(LIMIT + 5):
        await resident.send(f"spam {index}")
    sent = await other_resident.send("/start")
    assert "Welcome" in other_resident.texts(sent)[0]


async def test_replayed_update_is_handled_once(resident: ChatUser) -> None:
    update = Update(
        update_id=424242,
        message=Message(
            message_id=1,
            date=dt.datetime.now(dt.UTC),
            chat=resident.chat,
            from_user=resident.user,
            text="/start",
        ),
    )
    first = await resident.feed(update)
    second = await resident.feed(update)
    assert len(first) == 1 and second == []


async def test_replayed_submit_creates_one_case(resident: ChatUser) -> None:
    from tests.support.flows import write_report_until_review

    await write_report_until_review(resident)
    submit = resident.button("Submit")
    sent = await resident.press(submit)
    assert any("case number" in text for text in resident.texts(sent))
    # Another press of the same button (a different update) is refused, not a second case.
    sent = await resident.press(submit)
    assert not any("case number" in text for text in resident.texts(sent))


async def test_replayed_updates_do_not_count_toward_the_flood_limit(resident: ChatUser) -> None:
    update = Update(
        update_id=515151,
        message=Message(
            message_id=1,
            date=dt.datetime.now(dt.UTC),
            chat=resident.chat,
            from_user=resident.user,
            text="hello?",
        ),
    )
    assert len(await resident.feed(update)) == 1
    # A burst of redeliveries (a webhook retrying, a restart): silent, and not counted.
    for _ in range(30):
        assert await resident.feed(update) == []
    # So the resident still has the rest of the minute's allowance: the first message and more.
    for index in range(LIMIT - 1):
        sent = await resident.send(f"message number {index}")
        assert not any("very fast" in text for text in resident.texts(sent)), index
    sent = await resident.send("one too many")
    assert resident.texts(sent) == [
        "You are sending messages very fast. Please wait a minute, then go on."
    ]


async def test_processes_on_one_redis_share_a_chats_flood_limit(
    redis_app: AppContext, bot: Bot
) -> None:
    redis_app.channels[bot.id] = "telegram"
    first_dp, second_dp = build_dispatcher(redis_app), build_dispatcher(redis_app)
    first = ChatUser(first_dp, bot, user_id=4002)
    second = ChatUser(second_dp, bot, user_id=4002)
    try:
        for index in range(LIMIT // 2):
            for process in (first, second):
                sent = await process.send(f"message number {index}")
                assert NOTICE not in process.texts(sent)
        sent = await second.send("one too many")
        assert second.texts(sent) == [NOTICE]
    finally:
        await first_dp.storage.close()
        await second_dp.storage.close()
