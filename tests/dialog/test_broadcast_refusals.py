"""Broadcast buttons are checked again: non-staff, other stations, forged ids, foreign cancels."""

from __future__ import annotations

import logging

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import EditMessageText
from sqlalchemy import select

from services.audit import list_entries
from storage.db import Database
from storage.models import Broadcast
from tests.dialog.test_broadcast_dialog import answer, bot, broadcasts, compose, of  # noqa: F401
from tests.support.chat import ChatUser
from tests.support.notices import outbox
from tests.support.state import draft_of
from tests.unit.test_audiences import resident_chat, station_id, station_staff

STAFF_ONLY = "This is for the committee office's staff."
NOT_VALID = "This button is not valid."
OUT_OF_SCOPE = "Station staff can send only to the residents of their own stations."
NOT_AVAILABLE = "This broadcast is not available."


@pytest.fixture
async def keeper(roster: Database, dispatcher: Dispatcher, bot: Bot) -> ChatUser:  # noqa: F811
    """马丽, station staff at Bei'an only."""
    await station_staff(roster, 8002, "jf-beian")
    return ChatUser(dispatcher, bot, user_id=8002)


@pytest.fixture
async def subscribers(roster: Database, resident: ChatUser) -> list[int]:
    """The resident and five others opted in to Bei'an; one more to Jingde Street."""
    chats = [1001, 3001, 3002, 3003, 3004, 3005]
    for chat in chats:
        await resident_chat(roster, chat, "jf-beian")
    await resident_chat(roster, 3100, "xq-jingde")
    return chats


async def test_non_staff_are_refused_everything(
    resident: ChatUser, member: ChatUser, roster: Database
) -> None:
    for outsider in (resident, member):
        sent = await outsider.send("📣 Broadcast")
        assert outsider.texts(sent) == [STAFF_ONLY]
        for data in ("ba:members:", "ba:station:1", "bb:send:0123456789abcdef", "bc:1"):
            assert answer(await outsider.press(data)) == STAFF_ONLY
    assert await broadcasts(roster) == []


async def test_station_staff_reach_only_their_stations(
    keeper: ChatUser,
    subscribers: list[int],
    roster: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent = await keeper.send("📣 Broadcast")
    assert "which of your stations" in keeper.texts(sent)[-1]
    assert [text for text, _data in keeper.inline_buttons()] == ["Bei'an Community Liaison Station"]
    jingde = await station_id(roster, "xq-jingde")
    with caplog.at_level(logging.WARNING):
        for data in ("ba:members:", "ba:everyone:", "ba:meeting:1", f"ba:station:{jingde}"):
            assert answer(await keeper.press(data)) == OUT_OF_SCOPE
    refusals = [r for r in caplog.records if "outside staff" in r.message or "refused" in r.message]
    assert len(refusals) == 4
    assert answer(await keeper.press("ba:station:4242")) == NOT_VALID
    assert (await draft_of(keeper))[0] == "BroadcastForm:audience"

    await keeper.press(keeper.button("Bei'an"))
    await keeper.send("Open session on Saturday at 9")
    sent = await keeper.send("⏭ Skip")
    assert "Recipients: 6 (0 have blocked the bot)." in keeper.texts(sent)[-1]
    await keeper.press(keeper.button("Send now"))
    rows = await outbox(roster, "broadcast")
    assert sorted(row.chat_id for row in rows) == subscribers  # not 3100, of Jingde Street
    [broadcast] = await broadcasts(roster)
    assert broadcast.audience_kind == "station" and broadcast.audience_value == str(
        await station_id(roster, "jf-beian")
    )


async def test_forged_audiences_and_review_actions(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    assert answer(await office.press("ba:members:")) == (
        "This button is no longer active. Please use the menu."
    )
    await office.send("📣 Broadcast")
    for data in (
        "ba:meeting:4242",
        "ba:meeting:abc",
        "ba:sector:nowhere",
        "ba:committee:nowhere",
        "ba:group:emeritus",
        "ba:station:4242",
        "ba:members:extra",
        "ba:shout:",
    ):
        assert answer(await office.press(data)) == NOT_VALID, data
    await compose(office, "All members")
    _state, data = await draft_of(office)
    assert answer(await office.press(f"bb:launch:{data['draft']}")) == NOT_VALID
    stale = "bb:send:0123456789abcdef"
    assert answer(await office.press(stale)) == "This broadcast was already sent or discarded."
    assert await broadcasts(roster) == []


async def sent_by(user: ChatUser, roster: Database, *path: str) -> Broadcast:
    await compose(user, *path)
    await user.press(user.button("Send now"))
    async with roster.session() as session:
        latest = select(Broadcast).order_by(Broadcast.id.desc())
        return (await session.execute(latest)).scalars().first()


async def test_cancel_by_the_sender_stops_what_is_pending(
    office: ChatUser,
    keeper: ChatUser,
    subscribers: list[int],
    roster: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broadcast = await sent_by(office, roster, "Residents of a station", "Bei'an")
    with caplog.at_level(logging.WARNING):
        assert answer(await keeper.press(f"bc:{broadcast.id}")) == NOT_AVAILABLE
    assert any("refused cancelling broadcast" in r.message for r in caplog.records)
    assert answer(await office.press("bc:4242")) == NOT_AVAILABLE
    progress = broadcast.progress_message_id or 0
    sent = await office.press(f"bc:{broadcast.id}", message_id=progress)
    assert answer(sent) == (
        "Cancelled: 6 messages stopped. 0 were already delivered and 0 were on their way."
    )
    [edit] = of(sent, EditMessageText)
    assert "✖ Cancelled at 2026-11-20 10:00." in edit.text and edit.reply_markup is None
    assert answer(await office.press(f"bc:{broadcast.id}")) == (
        "This broadcast was already cancelled."
    )
    assert {row.state for row in await outbox(roster, "broadcast")} == {"cancelled"}
    async with roster.session() as session:
        [entry] = await list_entries(session, action="broadcast.cancel")
    assert entry.actor_name == "王芳" and entry.object_id == str(broadcast.id)


async def test_an_administrator_may_cancel_a_station_staff_broadcast(
    office: ChatUser,
    keeper: ChatUser,
    subscribers: list[int],
    roster: Database,
    dispatcher: Dispatcher,
    bot: Bot,  # noqa: F811
) -> None:
    broadcast = await sent_by(keeper, roster, "Bei'an")
    await station_staff(roster, 8003, "jf-beian", name="赵强")
    colleague = ChatUser(dispatcher, bot, user_id=8003)
    assert answer(await colleague.press(f"bc:{broadcast.id}")) == NOT_AVAILABLE
    sent = await office.press(f"bc:{broadcast.id}")
    assert answer(sent).startswith("Cancelled: 6 messages stopped.")
    assert of(sent, EditMessageText) == []  # pressed elsewhere: the progress message is left
