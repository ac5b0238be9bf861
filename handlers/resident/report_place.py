"""The report dialog, steps 1 and 2: which station, which category."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.callbacks import CategoryPickCB, NearestCB, StationPickCB
from handlers.messaging import show_choice
from handlers.resident.flow import advance
from handlers.states import ReportForm
from handlers.texts import escape
from handlers.turn import Turn
from services.reference.catalog import display_name, get_category, get_station, nearest_stations

log = logging.getLogger(__name__)

# --- step 1: station -------------------------------------------------------------------------


async def station_picked(
    callback: CallbackQuery,
    callback_data: StationPickCB,
    session: AsyncSession,
    state: FSMContext,
    locale: str,
    turn: Turn,
) -> None:
    """A station was chosen from the list."""
    station = await get_station(session, callback_data.id)
    if station is None:
        log.warning("chat %s picked unknown station %s", callback.from_user.id, callback_data.id)
        await callback.answer(_("This station is not available. Please choose another one."))
        return
    await state.update_data(station_id=station.id)
    # Names come from the reference data, which staff edit: never trusted as HTML.
    await show_choice(
        callback, _("Station: <b>{name}</b>").format(name=escape(display_name(station, locale)))
    )
    await advance(turn)


async def nearest_requested(callback: CallbackQuery, bot: Bot) -> None:
    """Ask for the location to find the nearest stations."""
    await callback.answer()
    await bot.send_message(
        callback.from_user.id,
        _("Share your location with the button below; I will list the nearest stations."),
        reply_markup=keyboards.share_location(skippable=False),
    )


async def station_by_location(message: Message, session: AsyncSession, locale: str) -> None:
    """List the stations nearest to the shared location."""
    assert message.location is not None
    pairs = await nearest_stations(
        session, latitude=message.location.latitude, longitude=message.location.longitude
    )
    await message.answer(
        _("The nearest stations:"), reply_markup=keyboards.nearest_choice(pairs, locale)
    )
    await message.answer(
        _("Choose one above, or “✖ Cancel”."), reply_markup=keyboards.cancel_only()
    )


async def station_expected(message: Message) -> None:
    """Anything else while a station is expected."""
    await message.answer(
        _("Please choose a station with the buttons above, or share your location.")
    )


# --- step 2: category ------------------------------------------------------------------------


async def category_picked(
    callback: CallbackQuery,
    callback_data: CategoryPickCB,
    session: AsyncSession,
    state: FSMContext,
    locale: str,
    turn: Turn,
) -> None:
    """A category was chosen."""
    category = await get_category(session, callback_data.id)
    if category is None:
        log.warning("chat %s picked unknown category %s", callback.from_user.id, callback_data.id)
        await callback.answer(_("This category is not available. Please choose another one."))
        return
    await state.update_data(category_id=category.id)
    await show_choice(
        callback,
        _("Category: <b>{name}</b>").format(name=escape(display_name(category, locale))),
    )
    await advance(turn)


async def category_expected(message: Message) -> None:
    """Anything else while a category is expected."""
    await message.answer(_("Please choose a category with the buttons above."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="report-place")
    router.callback_query.register(station_picked, ReportForm.station, StationPickCB.filter())
    router.callback_query.register(nearest_requested, ReportForm.station, NearestCB.filter())
    router.message.register(station_by_location, ReportForm.station, F.location)
    router.message.register(station_expected, ReportForm.station)
    router.callback_query.register(category_picked, ReportForm.category, CategoryPickCB.filter())
    router.message.register(category_expected, ReportForm.category)
    return router
