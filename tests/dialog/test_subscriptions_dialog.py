"""A resident opts in to a station's notices from its card, and out again; forged ids refused."""

from __future__ import annotations

import logging

import pytest
from aiogram.methods import AnswerCallbackQuery

from services.accounts.identities import find_identity
from services.broadcasts.subscriptions import subscriptions
from storage.db import Database
from tests.support.chat import ChatUser, forged
from tests.unit.test_audiences import station_id


def answer(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


async def my_stations(db: Database) -> list[str]:
    async with db.session() as session:
        identity = await find_identity(session, channel="telegram", chat_id=1001)
        assert identity is not None and identity.id is not None
        return [s.code for s in await subscriptions(session, identity_id=identity.id)]


async def test_opt_in_and_out_from_the_station_card(
    resident: ChatUser, sqlite_db: Database
) -> None:
    await resident.send("📍 Liaison stations")
    sent = await resident.press(resident.button("Jingde"))
    card = resident.texts(sent)[0]
    assert "Address: Jingde Street" in card
    assert "You do not receive this station's notices" in card
    sent = await resident.press(resident.button("Get this station's notices"))
    assert answer(sent) == "You will receive this station's notices."
    assert "🔔 You receive this station's notices." in resident.texts(sent)[-1]
    assert await my_stations(sqlite_db) == ["xq-jingde"]
    on = resident.button("Stop this station's notices").replace("\x1doff", "\x1don")
    await resident.press(on)  # pressed twice: still one subscription
    assert await my_stations(sqlite_db) == ["xq-jingde"]
    sent = await resident.press(resident.button("Stop this station's notices"))
    assert answer(sent) == "You will no longer receive this station's notices."
    assert "You do not receive" in resident.texts(sent)[-1]
    assert await my_stations(sqlite_db) == []
    sent = await resident.press(resident.button("Report an issue here"))
    assert "Step 2 of 6" in resident.texts(sent)[-1]  # the card's other buttons still work


@pytest.mark.parametrize("data", ["sub:on:4242", "sub:off:4242", "sub:shout:1", "sub:on:x"])
async def test_forged_subscription_buttons(
    resident: ChatUser, sqlite_db: Database, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        sent = await resident.press(data)
    assert answer(sent) in {
        "This station is not available.",
        "This button is no longer active. Please use the menu.",
    }
    assert await my_stations(sqlite_db) == []


async def test_forged_station_ids_in_the_directory(
    resident: ChatUser, sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await resident.send("📍 Liaison stations")
    for item in ("4242", "x"):
        with caplog.at_level(logging.WARNING):
            sent = await resident.press(forged(resident, f"station:{item}"))
        assert answer(sent) == "This station is not available."
        assert all(isinstance(request, AnswerCallbackQuery) for request in sent)
    # A card's buttons are not the directory's: pressed on the directory, they are refused.
    sent = await resident.press(forged(resident, "on"))
    assert answer(sent) == "This button is no longer active. Please use the menu."
    assert await my_stations(sqlite_db) == []


async def test_directory_buttons_after_it_was_closed(
    resident: ChatUser, sqlite_db: Database
) -> None:
    await resident.send("/stations")
    await resident.tap("Jingde")
    on = resident.button("Get this station's notices")
    await resident.send("/cancel")
    sent = await resident.press(on)
    assert "out of date" in answer(sent)
    assert await my_stations(sqlite_db) == []


async def test_a_card_goes_back_to_the_directory(resident: ChatUser, sqlite_db: Database) -> None:
    await resident.send("/stations")
    sent = await resident.tap("Bei'an")
    assert "Bei'an" in resident.texts(sent)[0]
    sent = await resident.tap("All stations")
    assert "Liaison stations" in resident.texts(sent)[0]
    assert len([label for label, _ in resident.inline_buttons()]) == 7
    assert await station_id(sqlite_db, "xq-jingde")
