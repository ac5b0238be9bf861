"""Staff reports in the chat: minimums, cases by station, category and status, timings.

The 📈 Reports button opens a menu: a period (this quarter, last quarter, this year), a
station within the staff member's reach, and the reports. Every press is checked again: the
action and period must be ones the menu offers, and the station one within reach. Members'
figures (minimums, the year's attendance and standings) are for administrators; the yearly
two open a dialog of their own (``year_reports``).
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from handlers.filters import ButtonText
from handlers.messaging import replace_or_send
from handlers.staff import stats_reports
from handlers.staff.desk import Desk
from handlers.staff.hotspot_desk import open_hotspots
from handlers.staff.reports import members_refusal, send_quarter_report
from handlers.staff.stats_buttons import (
    MEMBERS_REPORTS,
    ReportCB,
    reports_menu,
    stations_menu,
    valid_choice,
)
from handlers.staff.year_reports import open_report
from handlers.states import YearReports
from handlers.texts import Buttons, escape
from services.members.rules import RuleBook
from services.reference.catalog import get_station
from services.reports.cases import Reach, named_period, stations_in_reach
from services.reports.wording import heading, reach_label

log = logging.getLogger(__name__)


async def _reach(desk: Desk, data: ReportCB) -> Reach | None:
    """The reach a press asks for, or None when its station is unknown or out of scope."""
    station_id = data.station or None
    if station_id is not None:
        station = await get_station(desk.session, station_id)
        if station is None or not desk.scope.covers(station_id):
            return None
    period = named_period(data.period, desk.today)
    return Reach(period=period, tz=desk.turn.tz, scope=desk.scope, station_id=station_id)


async def _menu_text(desk: Desk, reach: Reach) -> tuple[str, bool]:
    """The menu's text, and whether there is more than one station to choose from."""
    everywhere = Reach(period=reach.period, tz=reach.tz, scope=desk.scope)
    in_reach = [s for s in await stations_in_reach(desk.session, everywhere) if s.active]
    shown = await stations_in_reach(desk.session, reach)
    label = reach_label(
        shown, every=desk.scope.admin, one=reach.station_id is not None, locale=desk.turn.locale
    )
    # Outside the f-string, where Babel's extractor sees it.
    title = heading(_("Reports"), reach.period)
    lines = [
        f"<b>{escape(title)}</b>",
        escape(label),
        _("Each report comes as a summary, a chart and a spreadsheet."),
    ]
    return "\n".join(lines), len(in_reach) > 1


async def open_menu(message: Message, desk: Desk) -> None:
    """The 📈 Reports button: the menu for this quarter and every station within reach."""
    data = ReportCB(action="menu")
    reach = await _reach(desk, data)
    assert reach is not None
    text, many = await _menu_text(desk, reach)
    markup = reports_menu(data.period, 0, many_stations=many, members=desk.scope.admin)
    await message.answer(text, reply_markup=markup)


async def refuse(callback: CallbackQuery, why: str) -> None:
    """A forged or stale press: logged, and the staff member told."""
    log.warning("chat %s: report button %r refused (%s)", callback.from_user.id, callback.data, why)
    await callback.answer(_("This button is not valid."), show_alert=True)


async def refuse_members(callback: CallbackQuery) -> None:
    """Members' figures asked for by station staff."""
    log.warning("chat %s: members' report %r refused", callback.from_user.id, callback.data)
    await callback.answer(members_refusal(), show_alert=True)


async def menu_pressed(
    callback: CallbackQuery,
    callback_data: ReportCB,
    bot: Bot,
    desk: Desk,
    rulebook: RuleBook,
    dialog_manager: DialogManager,
) -> None:
    """Change the period or the station, pick a station, or send a report."""
    if not valid_choice(callback_data):
        await refuse(callback, "unknown action or period")
        return
    reach = await _reach(desk, callback_data)
    if reach is None:
        await refuse(callback, "station unknown or out of scope")
        return
    scope = desk.scope
    action = callback_data.action
    if action == "menu":
        await callback.answer()
        text, many = await _menu_text(desk, reach)
        markup = reports_menu(
            callback_data.period, callback_data.station, many_stations=many, members=scope.admin
        )
        await replace_or_send(callback, bot, text, markup)
    elif action == "stations":
        await callback.answer()
        stations = await stations_in_reach(desk.session, Reach(reach.period, reach.tz, scope))
        active = [station for station in stations if station.active]
        markup = stations_menu(callback_data.period, active, desk.turn.locale)
        await replace_or_send(callback, bot, _("Which station?"), markup)
    elif action in MEMBERS_REPORTS and not scope.admin:
        await refuse_members(callback)
    elif action == "minimums":
        await callback.answer()
        await send_quarter_report(bot, desk, rulebook, quarter=reach.period.quarter)
    elif action in ("attendance", "assessment"):
        # The year's reports: for the year under way, whatever period the menu shows.
        await callback.answer()
        state = YearReports.attendance if action == "attendance" else YearReports.standings
        await open_report(desk, dialog_manager, state)
    elif action == "hotspots":
        await callback.answer()
        await open_hotspots(desk, dialog_manager)
    else:
        await callback.answer()
        await stats_reports.send_report(action, bot, desk, reach)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-stats")
    router.message.register(open_menu, ButtonText(Buttons.REPORTS))
    router.callback_query.register(menu_pressed, ReportCB.filter())
    return router
