"""A month calendar to pick a day within a range, on the bot's clock and in the reader's language.

aiogram-dialog's ``Calendar`` takes "today" from the system clock and names months and weekdays
through the process locale. This one takes today, the first and the last day that may be picked
from the window's data (the getter reads them from the injected clock), names the month by number,
translates the weekdays, pages only within the range, and refuses a forged day that is not a date.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiogram.types import CallbackQuery, InlineKeyboardButton
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.api.protocols import DialogProtocol
from aiogram_dialog.widgets.kbd import Calendar
from aiogram_dialog.widgets.kbd.calendar_kbd import (
    CALLBACK_NEXT_MONTH,
    CALLBACK_PREV_MONTH,
    CalendarConfig,
    CalendarDaysView,
    CalendarScope,
    CalendarScopeView,
    CalendarUserConfig,
)
from aiogram_dialog.widgets.text import Format, Text

from services.translation import N_

log = logging.getLogger(__name__)

# Pressing a label (the month, a weekday, a blank cell) does nothing.
NOOP = "_"
WEEKDAYS = (N_("Mo"), N_("Tu"), N_("We"), N_("Th"), N_("Fr"), N_("Sa"), N_("Su"))


class _Day(Text):
    """A day's number; today (by the bot's clock) in brackets."""

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        day: dt.date = data["date"]
        return f"[ {day.day} ]" if day == data["data"]["today"] else str(day.day)


class _Weekday(Text):
    """A weekday's short name in the reader's language."""

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        day: dt.date = data["date"]
        return _(WEEKDAYS[day.weekday()])


class _DaysView(CalendarDaysView):
    """The month's days: a title row, the weekdays, the days, then paging without zooming out."""

    async def render(
        self,
        config: CalendarConfig,
        offset: dt.date,
        data: dict[str, Any],
        manager: DialogManager,
    ) -> list[list[InlineKeyboardButton]]:
        title = InlineKeyboardButton(
            text=f"🗓 {offset:%Y-%m}", callback_data=self.callback_generator(NOOP)
        )
        pager = await self._render_pager(config, offset, data, manager)
        rows = [
            [title],
            await self._render_week_header(config, data, manager),
            *await self._render_days(config, offset, data, manager),
            [button for position, button in enumerate(pager) if position != 1],
        ]
        noop = self.callback_generator(NOOP)
        return [
            [
                button
                if button.callback_data
                else button.model_copy(update={"callback_data": noop})
                for button in row
            ]
            for row in rows
            if row
        ]


class DayCalendar(Calendar):
    """Pick a day from ``data[earliest]`` to ``data[today]``, today being the bot's today."""

    def _init_views(self) -> dict[CalendarScope, CalendarScopeView]:
        days = _DaysView(
            self._item_callback_data,
            date_text=_Day(),
            today_text=_Day(),
            weekday_text=_Weekday(),
            prev_month_text=Format("◀ {date:%Y-%m}"),
            next_month_text=Format("{date:%Y-%m} ▶"),
        )
        return {scope: days for scope in CalendarScope}

    async def _get_user_config(
        self, data: dict[str, Any], manager: DialogManager
    ) -> CalendarUserConfig:
        return CalendarUserConfig(min_date=data["earliest"], max_date=data["today"])

    async def _render_keyboard(self, data: dict[str, Any], manager: DialogManager) -> RawKeyboard:
        if self.get_offset(manager) is None:
            self.set_offset(data["today"], manager)
        return await super()._render_keyboard(data, manager)

    async def _process_item_callback(
        self,
        callback: CallbackQuery,
        data: str,
        dialog: DialogProtocol,
        manager: DialogManager,
    ) -> bool:
        if data == NOOP:
            await callback.answer()
            return True
        if data in (CALLBACK_PREV_MONTH, CALLBACK_NEXT_MONTH):
            return await super()._process_item_callback(callback, data, dialog, manager)
        try:
            int(data)
        except ValueError:
            # Only a forged button carries anything else: the month and year views are not drawn.
            log.warning("chat %s sent calendar data %r", callback.from_user.id, data)
            await callback.answer(_("This button is not valid."))
            return True
        return await super()._process_item_callback(callback, data, dialog, manager)
