"""The report dialog, steps 1 and 2: the station (from the list or the nearest), the category."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.dialogs.guard import Refused
from handlers.dialogs.press import show_answer
from handlers.resident.flow import advance, draw_below
from handlers.states import ReportForm
from handlers.texts import escape
from services.reference.catalog import (
    display_name,
    get_category,
    get_station,
    list_categories,
    list_stations,
    nearest_stations,
)

log = logging.getLogger(__name__)

# Ids are database integers: anything longer is forged and never reaches a query.
ID_DIGITS = 9


def parse_id(text: str) -> int | None:
    """An id from a button, or None when it cannot be one."""
    if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS:
        return int(text)
    return None


# --- step 1: station -------------------------------------------------------------------------


async def stations_getter(session: AsyncSession, locale: str, **kwargs: Any) -> dict[str, Any]:
    """Every station, by name in the reader's language."""
    stations = await list_stations(session)
    return {"stations": [(display_name(station, locale), str(station.id)) for station in stations]}


async def nearest_getter(
    dialog_manager: DialogManager, session: AsyncSession, locale: str, **kwargs: Any
) -> dict[str, Any]:
    """The stations nearest to the shared location, with their distance."""
    near = dialog_manager.dialog_data.get("near") or {}
    pairs = await nearest_stations(
        session, latitude=float(near.get("latitude", 0)), longitude=float(near.get("longitude", 0))
    )
    return {
        "nearest": [
            (
                _("{name} · {km:.1f} km").format(name=display_name(station, locale), km=km),
                str(station.id),
            )
            for station, km in pairs
        ]
    }


async def station_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """A station was chosen from the list or from the nearest ones."""
    session: AsyncSession = manager.middleware_data["session"]
    station_id = parse_id(item_id)
    station = await get_station(session, station_id) if station_id is not None else None
    if station is None:
        log.warning("chat %s picked unknown station %r", callback.from_user.id, item_id)
        raise Refused(_("This station is not available. Please choose another one."))
    manager.dialog_data["station_id"] = station.id
    manager.dialog_data.pop("near", None)
    # Names come from the reference data, which staff edit: never trusted as HTML.
    name = escape(display_name(station, manager.middleware_data["locale"]))
    await show_answer(callback, _("Station: <b>{name}</b>").format(name=name))
    await advance(manager, ReportForm.category)


async def nearest_requested(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """Ask for the location to find the nearest stations."""
    assert callback.message is not None
    await callback.message.answer(
        _("Share your location with the button below; I will list the nearest stations."),
        reply_markup=keyboards.share_location(skippable=False),
    )


async def station_by_location(message: Message, widget: Any, manager: DialogManager) -> None:
    """List the stations nearest to the shared location."""
    assert message.location is not None
    manager.dialog_data["near"] = {
        "latitude": message.location.latitude,
        "longitude": message.location.longitude,
    }
    draw_below(manager)
    await manager.switch_to(ReportForm.nearest, show_mode=ShowMode.SEND)
    # The list first, then the keyboard that lets the resident cancel: drawn here, not after.
    await manager.show()
    manager.show_mode = ShowMode.NO_UPDATE
    await message.answer(
        _("Choose one above, or “✖ Cancel”."), reply_markup=keyboards.cancel_only()
    )


async def station_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything else while a station is expected."""
    await message.answer(
        _("Please choose a station with the buttons above, or share your location.")
    )


# --- step 2: category ------------------------------------------------------------------------


async def categories_getter(session: AsyncSession, locale: str, **kwargs: Any) -> dict[str, Any]:
    """Every category, by name in the reader's language."""
    categories = await list_categories(session)
    return {
        "categories": [
            (display_name(category, locale), str(category.id)) for category in categories
        ]
    }


async def category_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """A category was chosen."""
    session: AsyncSession = manager.middleware_data["session"]
    category_id = parse_id(item_id)
    category = await get_category(session, category_id) if category_id is not None else None
    if category is None:
        log.warning("chat %s picked unknown category %r", callback.from_user.id, item_id)
        raise Refused(_("This category is not available. Please choose another one."))
    manager.dialog_data["category_id"] = category.id
    name = escape(display_name(category, manager.middleware_data["locale"]))
    await show_answer(callback, _("Category: <b>{name}</b>").format(name=name))
    await advance(manager)


async def category_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything else while a category is expected."""
    await message.answer(_("Please choose a category with the buttons above."))
