"""The station card links to the published handling list and the station's page, with an address."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.types import InlineKeyboardMarkup

from bot.app import AppContext
from storage.db import Database
from tests.support.chat import ChatUser

LABEL = "Proposals and how they were handled"


def url_buttons(user: ChatUser) -> dict[str, str]:
    markup = user.last_markup()
    assert isinstance(markup, InlineKeyboardMarkup)
    return {b.text: b.url for row in markup.inline_keyboard for b in row if b.url}


async def test_the_card_links_to_the_page(
    app: AppContext, dispatcher: Dispatcher, resident: ChatUser, sqlite_db: Database
) -> None:
    dispatcher["settings"] = app.settings.model_copy(
        update={"public_url": "https://chat.example.org"}
    )
    await resident.send("📍 Liaison stations")
    await resident.press(resident.button("Jingde"))
    links = url_buttons(resident)
    station_page = links.pop("🌐 The station's page")
    assert links == {f"📋 {LABEL}": "https://chat.example.org/handling?lang=en"}
    assert station_page.startswith("https://chat.example.org/stations/")
    assert station_page.endswith("?lang=en")
    # The card's other buttons still carry their own data.
    assert resident.button("Report an issue here")


async def test_no_address_no_link(resident: ChatUser, sqlite_db: Database) -> None:
    await resident.send("📍 Liaison stations")
    await resident.press(resident.button("Jingde"))
    assert url_buttons(resident) == {}
    assert LABEL not in str(resident.inline_buttons())
