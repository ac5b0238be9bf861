"""Broadcast buttons are checked again: non-staff, other stations, forged ids, foreign cancels."""

from __future__ import annotations

import logging

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import EditMessageText
from sqlalchemy import select, update
from sqlmodel import col

from services.audit import list_entries
from storage.db import Database, write_transaction
from storage.enums import BroadcastState
from storage.models import Broadcast, OutboxMessage
from tests.dialog.test_broadcast_dialog import (  # noqa: F401
    STALE,
    answer,
    bot,
    broadcasts,
    compose,
    of,
)
from tests.support.chat import ChatUser
from tests.support.notices import outbox
from tests.support.state import dialog_of
from tests.unit.test_audiences import resident_chat, station_id, station_staff

STAFF_ONLY = "This is for the committee office's staff."
NOT_VALID = "This button is not valid."
OUT_OF_SCOPE = "Station staff can send only to the residents of their own stations."
NOT_AVAILABLE = "This broadcast is not available."


def forged(user: ChatUser, label: str, press: str) -> tuple[str, int]:
    """The button ``label`` of the user's card, carrying ``press`` (widget id and item) instead."""
    data, message_id = user.button_on_message(label)
    intent, _sep, _real = data.partition("\x1d")
    return f"{intent}\x1d{press}", message_id


async def press_forged(user: ChatUser, label: str, press: str) -> str:
    data, message_id = forged(user, label, press)
    return answer(await user.press(data, message_id=message_id))


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
    office: ChatUser, resident: ChatUser, member: ChatUser, roster: Database
) -> None:
    await office.send("📣 Broadcast")
    office_card, card = office.button_on_message("All members")
    for outsider in (resident, member):
        sent = await outsider.send("📣 Broadcast")
        assert outsider.texts(sent) == [STAFF_ONLY]
        assert answer(await outsider.press("bc:1")) == STAFF_ONLY
        # The office's dialog button is nobody else's: their chat has no such dialog.
        assert answer(await outsider.press(office_card, message_id=card)) == STALE
        assert (await dialog_of(outsider))[0] is None
    assert (await dialog_of(office))[0] == "BroadcastForm:audience"
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
    beian = "Bei'an"
    with caplog.at_level(logging.WARNING):
        # The administrators' kind buttons, forged on the station staff's card, and another
        # station's residents.
        for press in ("kind:members", "kind:everyone", "kind:meeting", f"station:{jingde}"):
            assert await press_forged(keeper, beian, press) == OUT_OF_SCOPE, press
    refusals = [r for r in caplog.records if "outside staff" in r.message or "refused" in r.message]
    assert len(refusals) == 4
    assert await press_forged(keeper, beian, "station:4242") == NOT_VALID
    assert await dialog_of(keeper) == ("BroadcastForm:audience", {})

    await keeper.tap(beian)
    await keeper.send("Open session on Saturday at 9")
    sent = await keeper.send("⏭ Skip")
    assert "Recipients: 6 (0 have blocked the bot)." in keeper.texts(sent)[-1]
    await keeper.tap("Send now")
    rows = await outbox(roster, "broadcast")
    assert sorted(row.chat_id for row in rows) == subscribers  # not 3100, of Jingde Street
    [broadcast] = await broadcasts(roster)
    assert broadcast.audience_kind == "station" and broadcast.audience_value == str(
        await station_id(roster, "jf-beian")
    )


async def test_forged_audiences(office: ChatUser, member: ChatUser, roster: Database) -> None:
    assert answer(await office.press("ba:members:")) == (
        "This button is no longer active. Please use the menu."
    )
    await office.send("📣 Broadcast")
    for press in ("kind:shout", "kind:", "station:4242", "station:abc"):
        assert await press_forged(office, "All members", press) == NOT_VALID, press
    for kind, presses in (
        ("By sector", ("value:nowhere", "value:")),
        ("By special committee", ("value:nowhere",)),
        ("By group", ("value:emeritus",)),
        ("Residents of a station", ("value_row:4242", "value_row:abc")),
    ):
        await office.tap(kind)
        for press in presses:
            assert await press_forged(office, "Back", press) == NOT_VALID, press
        assert (await dialog_of(office))[0] == "BroadcastForm:audience_value"
        await office.tap("Back")
    assert "audience_kind" not in (await dialog_of(office))[1]


async def test_forged_review_actions(office: ChatUser, member: ChatUser, roster: Database) -> None:
    await compose(office, "All members")
    # A widget the review card does not have does nothing; the card is drawn again.
    data, card = forged(office, "Send now", "launch")
    sent = await office.press(data, message_id=card)
    assert "Ready to send?" in office.texts(sent)[-1]
    # A card of a dialog that is not the one open now (another intent id) is refused.
    intent, _sep, _real = office.button("Send now").partition("\x1d")
    stale = office.button("Send now").replace(intent, "0123456789abcdef")
    assert answer(await office.press(stale, message_id=card)) == STALE
    assert (await dialog_of(office))[0] == "BroadcastForm:review"
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
    sent = await office.press(f"bc:{broadcast.id}", message_id=progress)
    assert answer(sent) == "This card is out of date: the broadcast was already cancelled."
    assert of(sent, EditMessageText) == []  # the card already says so
    assert {row.state for row in await outbox(roster, "broadcast")} == {"cancelled"}
    async with roster.session() as session:
        [entry] = await list_entries(session, action="broadcast.cancel")
    assert entry.actor_name == "王芳" and entry.object_id == str(broadcast.id)


async def test_a_cancel_on_a_card_whose_broadcast_finished_redraws_it(
    office: ChatUser, subscribers: list[int], roster: Database
) -> None:
    broadcast = await sent_by(office, roster, "Residents of a station", "Bei'an")
    # Delivered to the last one before the monitor's next tick redrew the card.
    async with roster.session() as session, write_transaction(session):
        await session.execute(
            update(OutboxMessage).where(col(OutboxMessage.kind) == "broadcast").values(state="sent")
        )
        await session.execute(
            update(Broadcast)
            .where(col(Broadcast.id) == broadcast.id)
            .values(state=BroadcastState.DONE, finished_at=broadcast.created_at)
        )
    sent = await office.press(f"bc:{broadcast.id}", message_id=broadcast.progress_message_id or 0)
    assert answer(sent) == (
        "This card is out of date: the broadcast has finished; there was nothing left to stop."
    )
    [redrawn] = of(sent, EditMessageText)
    assert redrawn.reply_markup is None
    assert {row.state for row in await outbox(roster, "broadcast")} == {"sent"}


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
