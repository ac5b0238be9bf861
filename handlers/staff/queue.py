"""The case queue: what waits for a staff decision, by station, oldest first."""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import StaffIssueCB
from handlers.case_callbacks import ConditionsReportCB, QueueCB
from handlers.filters import ButtonText
from handlers.grid import Grid
from handlers.messaging import replace_or_send
from handlers.staff.desk import Desk
from handlers.texts import Buttons, shorten
from services.cases.triage import QueuePage, queue_by_station, queue_page
from services.members.conditions_reports import count_reports
from services.reference.catalog import display_name, get_station

log = logging.getLogger(__name__)


def age(created: dt.datetime, now: dt.datetime) -> str:
    """How long a case has waited: ``3 h`` or ``2 d``."""
    hours = int((now - created).total_seconds() // 3600)
    if hours < 48:
        return _("{hours} h").format(hours=max(hours, 0))
    return _("{days} d").format(days=hours // 24)


async def overview(desk: Desk) -> tuple[str, InlineKeyboardMarkup]:
    """How many cases wait, at which stations, and the members' reports waiting."""
    stations = await queue_by_station(desk.session, scope=desk.scope)
    total = sum(count for _, count in stations)
    reports = await count_reports(desk.session, scope=desk.scope)
    grid = Grid()
    if total:
        text = _("<b>Case queue</b>: {total} cases wait for a decision, oldest first.").format(
            total=total
        )
        grid.button(text=_("All stations ({count})").format(count=total), callback_data=QueueCB())
        for station, count in stations:
            assert station.id is not None
            label = f"{shorten(display_name(station, desk.turn.locale), 24)} ({count})"
            grid.button(text=label, callback_data=QueueCB(station=station.id))
    else:
        text = _("<b>Case queue</b>: nothing waits for a decision. Every case is in hand.")
    if reports:
        grid.button(
            text=_("📄 Members' reports ({count})").format(count=reports),
            callback_data=ConditionsReportCB(action="list"),
        )
    grid.adjust(1)
    return text, grid.as_markup()


def page_view(
    page: QueuePage, desk: Desk, station_name: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of waiting cases, one button each."""
    where = station_name or _("all stations")
    text = _("<b>Waiting at {where}</b>: {total}.").format(where=where, total=page.total)
    if page.pages > 1:
        text += " " + _("Page {page} of {pages}.").format(page=page.page + 1, pages=page.pages)
    text += "\n" + _("Tap a case to open it.")
    grid = Grid()
    for item in page.items:
        assert item.issue.id is not None
        label = " · ".join(
            (
                item.issue.number,
                age(item.issue.created_at, desk.now),
                shorten(display_name(item.category, desk.turn.locale), 14),
            )
        )
        grid.row(_button(label, StaffIssueCB(action="view", id=item.issue.id)))
    station = page.station_id or 0
    nav = []
    if page.page > 0:
        nav.append(_button(_("◀ Older"), QueueCB(station=station, page=page.page - 1)))
    if page.page + 1 < page.pages:
        nav.append(_button(_("Newer ▶"), QueueCB(station=station, page=page.page + 1)))
    if nav:
        grid.row(*nav)
    grid.row(_button(_("◀ Stations"), QueueCB(station=-1)))
    return text, grid.as_markup()


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


async def queue_command(message: Message, desk: Desk) -> None:
    """The menu button or /queue."""
    await desk.state.clear()
    text, markup = await overview(desk)
    await message.answer(text, reply_markup=markup)


async def queue_button(
    callback: CallbackQuery, callback_data: QueueCB, bot: Bot, desk: Desk
) -> None:
    """The overview, or a page of one station (or of all)."""
    if callback_data.station < 0:
        await callback.answer()
        text, markup = await overview(desk)
        await replace_or_send(callback, bot, text, markup)
        return
    station_name = None
    station_id = callback_data.station or None
    if station_id is not None:
        station = await get_station(desk.session, station_id)
        if station is None or not desk.scope.covers(station_id):
            log.warning("chat %s: queue of station %s refused", callback.from_user.id, station_id)
            await callback.answer(_("This station is not available."), show_alert=True)
            return
        station_name = display_name(station, desk.turn.locale)
    page = await queue_page(
        desk.session, scope=desk.scope, station_id=station_id, page=callback_data.page
    )
    await callback.answer()
    text, markup = page_view(page, desk, station_name)
    await replace_or_send(callback, bot, text, markup)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-queue")
    router.message.register(queue_command, ButtonText(Buttons.CASE_QUEUE))
    router.message.register(queue_command, Command("queue"))
    router.callback_query.register(queue_button, QueueCB.filter())
    return router
