"""What topics add to a station's card: 征题 (suggest a topic here) and the published plan."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.kbd import Button, Url
from aiogram_dialog.widgets.text import Format

from handlers.dialogs.context import reader_of
from handlers.dialogs.guard import Refused
from handlers.dialogs.markup import Label
from handlers.topics.suggest import start_suggestion
from services.reference.catalog import get_station
from services.reports.plan_page import plan_link
from services.topics.plan import published_plan


async def topic_card_data(manager: DialogManager) -> dict[str, Any]:
    """The link to the year's published plan, when there is one and a public address."""
    reader = reader_of(manager)
    public_url = manager.middleware_data["settings"].public_url
    year = reader.today.year
    published = public_url and await published_plan(reader.session, year=year) is not None
    return {"plan_url": plan_link(public_url, year, reader.locale) if published else ""}


async def suggest_here(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Suggest a topic at the card's station, checked again."""
    station_id = int(manager.dialog_data.get("station", 0))
    if await get_station(reader_of(manager).session, station_id) is None:
        raise Refused(_("This station is not available."), alert=True)
    await start_suggestion(manager, station_id=station_id)


def topic_buttons() -> list[Any]:
    """The card's topic buttons."""
    return [
        Button(Label("💡 Suggest a topic here"), id="suggest", on_click=suggest_here, when="found"),
        Url(
            Label("🗓 Consultation plan"),
            Format("{plan_url}"),
            id="plan",
            when="plan_url",
        ),
    ]
