"""The liaison stations directory: where they are, a shortcut to report at one, and the opt-in.

A resident may opt in to a station's notices (its open sessions and news, sent by the
station's staff) and out again.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.callbacks import StationInfoCB
from handlers.messaging import replace_or_send
from handlers.resident.flow import start_report
from handlers.texts import escape
from services.broadcasts.subscriptions import is_subscribed, subscribe, unsubscribe
from services.clock import Clock
from services.errors import NotFoundError
from services.reference.catalog import display_name, get_station, list_stations
from storage.models import ChatIdentity, Station

log = logging.getLogger(__name__)


class StationSubCB(CallbackData, prefix="sub"):
    """Opt in to (``on``) or out of (``off``) a station's notices."""

    action: str
    id: int


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


def render_station(station: Station, locale: str, *, subscribed: bool | None = None) -> str:
    """A station's card; says whether the reader receives its notices, when known."""
    address = station.address_en if locale == "en" and station.address_en else station.address_zh
    lines = [f"<b>{escape(display_name(station, locale))}</b>"]
    if address:
        lines.append(_("Address: {address}").format(address=escape(address)))
    if subscribed is True:
        lines.append(_("🔔 You receive this station's notices."))
    elif subscribed is False:
        lines.append(_("🔕 You do not receive this station's notices (open sessions, news)."))
    return "\n".join(lines)


def card_buttons(station: Station, *, subscribed: bool) -> InlineKeyboardMarkup:
    """The card's buttons, headed by the opt-in toggle."""
    assert station.id is not None
    label = (
        _("🔕 Stop this station's notices") if subscribed else _("🔔 Get this station's notices")
    )
    toggle = InlineKeyboardButton(
        text=label,
        callback_data=StationSubCB(action="off" if subscribed else "on", id=station.id).pack(),
    )
    rows = keyboards.station_actions(station).inline_keyboard
    return InlineKeyboardMarkup(inline_keyboard=[[toggle], *rows])


async def _show_card(
    callback: CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    station: Station,
    locale: str,
    identity: ChatIdentity | None,
) -> None:
    assert station.id is not None
    if identity is None or identity.id is None:
        markup = keyboards.station_actions(station)
        await replace_or_send(callback, bot, render_station(station, locale), markup)
        return
    subscribed = await is_subscribed(session, identity_id=identity.id, station_id=station.id)
    await replace_or_send(
        callback,
        bot,
        render_station(station, locale, subscribed=subscribed),
        card_buttons(station, subscribed=subscribed),
    )


async def station_action(
    callback: CallbackQuery,
    callback_data: StationInfoCB,
    bot: Bot,
    session: AsyncSession,
    locale: str,
    state: FSMContext,
    dialog_manager: DialogManager,
    identity: ChatIdentity | None = None,
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
        await _show_card(callback, bot, session, station, locale, identity)
    elif (
        callback_data.action == "map"
        and station.latitude is not None
        and station.longitude is not None
    ):
        await bot.send_location(callback.from_user.id, station.latitude, station.longitude)
    elif callback_data.action == "report":
        await start_report(dialog_manager, state, station_id=station.id)


async def subscription_toggled(
    callback: CallbackQuery,
    callback_data: StationSubCB,
    bot: Bot,
    session: AsyncSession,
    locale: str,
    clock: Clock,
    identity: ChatIdentity | None = None,
) -> None:
    """Opt in to or out of a station's notices; unknown stations and actions are refused."""
    station = await get_station(session, callback_data.id)
    if (
        station is None
        or station.id is None
        or identity is None
        or identity.id is None
        or callback_data.action not in ("on", "off")
    ):
        log.warning(
            "chat %s: station %s subscription %r refused",
            callback.from_user.id,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_("This station is not available."), show_alert=True)
        return
    if callback_data.action == "on":
        try:
            await subscribe(
                session, identity_id=identity.id, station_id=station.id, now=clock.now()
            )
        except NotFoundError:
            await callback.answer(_("This station is not available."), show_alert=True)
            return
        await callback.answer(_("You will receive this station's notices."))
    else:
        await unsubscribe(session, identity_id=identity.id, station_id=station.id)
        await callback.answer(_("You will no longer receive this station's notices."))
    await _show_card(callback, bot, session, station, locale, identity)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="stations")
    router.callback_query.register(station_action, StationInfoCB.filter())
    router.callback_query.register(subscription_toggled, StationSubCB.filter())
    return router
