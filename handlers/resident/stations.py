"""The liaison stations directory: where they are, and a shortcut to report at one."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.callbacks import StationInfoCB
from handlers.messaging import replace_or_send
from handlers.resident.flow import start_report
from handlers.texts import escape
from handlers.turn import Turn
from services.reference import display_name, get_station, list_stations
from storage.models import Station

log = logging.getLogger(__name__)


def _directory_text() -> str:
    return _(
        "<b>Liaison stations</b>\n"
        "Members of the committee take turns on duty at these stations. "
        "Come in person, or choose one to see its address and report an issue there."
    )


async def show_stations(message: Message, *, session: AsyncSession, locale: str) -> None:
    """Send the directory."""
    stations = await list_stations(session)
    await message.answer(
        _directory_text(), reply_markup=keyboards.stations_directory(stations, locale)
    )


def render_station(station: Station, locale: str) -> str:
    """A station's card."""
    address = station.address_en if locale == "en" and station.address_en else station.address_zh
    lines = [f"<b>{escape(display_name(station, locale))}</b>"]
    if address:
        lines.append(_("Address: {address}").format(address=escape(address)))
    return "\n".join(lines)


async def station_action(
    callback: CallbackQuery,
    callback_data: StationInfoCB,
    bot: Bot,
    session: AsyncSession,
    locale: str,
    turn: Turn,
) -> None:
    """View a station, show it on the map, report there, or go back to the list."""
    if callback_data.action == "list":
        await callback.answer()
        stations = await list_stations(session)
        await replace_or_send(
            callback, bot, _directory_text(), keyboards.stations_directory(stations, locale)
        )
        return
    station = await get_station(session, callback_data.id)
    if station is None or callback_data.action not in ("view", "map", "report"):
        log.warning(
            "chat %s: station %s action %r refused",
            callback.from_user.id,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_("This station is not available."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "view":
        await replace_or_send(
            callback, bot, render_station(station, locale), keyboards.station_actions(station)
        )
    elif (
        callback_data.action == "map"
        and station.latitude is not None
        and station.longitude is not None
    ):
        await bot.send_location(callback.from_user.id, station.latitude, station.longitude)
    elif callback_data.action == "report":
        await start_report(turn, station_id=station.id)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="stations")
    router.callback_query.register(station_action, StationInfoCB.filter())
    return router
