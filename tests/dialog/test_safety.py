"""Group chats, floods and replayed updates."""

from __future__ import annotations

import datetime as dt

from aiogram import Bot, Dispatcher
from aiogram.methods import SendMessage
from aiogram.types import Chat, Message, Update, User

from services.clock import ManualClock
from tests.support.chat import ChatUser


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
    for index in range(30):
        sent = await resident.send(f"message number {index}")
        for text in resident.texts(sent):
            if "very fast" in text:
                notices += 1
            else:
                answered += 1
    assert answered == 20
    assert notices == 1
    clock.advance(dt.timedelta(seconds=61))
    sent = await resident.send("/start")
    assert "Welcome" in resident.texts(sent)[0]


async def test_flood_of_one_chat_does_not_silence_another(
    resident: ChatUser, other_resident: ChatUser
) -> None:
    for index in range(25):
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
    # So the resident still has the rest of the 20 a minute: the first message plus 19 more.
    for index in range(19):
        sent = await resident.send(f"message number {index}")
        assert not any("very fast" in text for text in resident.texts(sent)), index
    sent = await resident.send("one too many")
    assert resident.texts(sent) == [
        "You are sending messages very fast. Please wait a minute, then go on."
    ]
