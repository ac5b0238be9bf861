"""The activity dialog's first steps (kind, date, sector, people) and the way between steps.

Every answer is checked here again (a forged button carries anything), then the step goes on to
the next one, or back to the review when the member came from there to change this one part.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.api.entities import ChatEvent, Data
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, ManagedCalendar, ManagedMultiselect, Select

from handlers import messaging
from handlers.member.context import LogContext, log_context
from handlers.parsing import parse_count, parse_day
from handlers.states import ActivityForm
from services.errors import DomainError
from services.members import activities
from services.reference.catalog import display_name, get_sector, list_sectors

log_ = logging.getLogger(__name__)


async def member_log(manager: DialogManager) -> LogContext:
    """The member's context of this update (also on the error path, where it is built here)."""
    log: LogContext | None = manager.middleware_data.get("log")
    if log is None:
        log = await log_context(manager.middleware_data)
        assert log is not None, "member dialogs are reached by members only"
    return log


async def entry_started(start_data: Data, manager: DialogManager) -> None:
    """A new entry: empty, or filled from a ``/log`` line or from the activity being edited."""
    fields = dict(start_data) if isinstance(start_data, dict) else {}
    manager.dialog_data.update({"photos": [], "paired": [], **fields})
    paired: ManagedMultiselect[str] = manager.find("paired")  # type: ignore[assignment]
    for person_id in manager.dialog_data["paired"]:
        await paired.set_checked(str(person_id), True)


async def to_review(manager: DialogManager) -> None:
    """The whole entry under a fresh card at the bottom of the chat."""
    manager.dialog_data["editing"] = False
    log = await member_log(manager)
    await log.turn.say(_("Almost done."), reply_markup=ReplyKeyboardRemove())
    await manager.switch_to(ActivityForm.review, show_mode=ShowMode.SEND)


async def advance(manager: DialogManager) -> None:
    """The next step, or back to the review when the member was changing one part."""
    state = manager.current_context().state
    if manager.dialog_data.get("editing") or state == ActivityForm.photos:
        await to_review(manager)
    elif state == ActivityForm.sectors:
        # The list of every sector is a side window of step 3.
        await manager.switch_to(ActivityForm.people)
    else:
        await manager.next()
        if manager.current_context().state == ActivityForm.paired:
            await _skip_paired_if_none(manager)


async def _skip_paired_if_none(manager: DialogManager) -> None:
    if not (await member_log(manager)).member.paired:
        manager.dialog_data["paired"] = []
        await manager.next()


async def refuse_button(callback: CallbackQuery, what: str, value: object) -> None:
    """A button no card of this step offered: refused, logged, nothing changes."""
    log_.warning("chat %s picked unknown %s %r", callback.from_user.id, what, value)
    await callback.answer(_("This button is not valid."))


async def buttons_expected(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Typing where a button is expected."""
    manager.show_mode = ShowMode.NO_UPDATE
    await messaging.buttons_expected(message)


async def text_expected(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """A photo, sticker or anything else where text is expected."""
    manager.show_mode = ShowMode.NO_UPDATE
    await message.answer(_("Please answer with text here. Photos come in the last step."))


# --- 1: the kind ------------------------------------------------------------------------------


async def kinds_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Every kind of the year's rules."""
    log = await member_log(dialog_manager)
    locale = log.turn.locale
    return {"kinds": [(kind.code, display_name(kind, locale)) for kind in log.rules.activity_kinds]}


async def kind_picked(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, code: str
) -> None:
    """Step 1 answered."""
    kind = (await member_log(manager)).rules.kind(code)
    if kind is None:
        await refuse_button(callback, "kind", code)
        return
    manager.dialog_data["kind"] = kind.code
    await advance(manager)


# --- 2: the date ------------------------------------------------------------------------------


def date_error(error: DomainError) -> str:
    """Why a date was refused."""
    if error.code == "date_future":
        return _("That date is in the future. Please give the day the activity took place.")
    if error.code == "year_closed":
        return _(
            "The {year} assessment is closed, so activities of {year} can no longer be logged "
            "or changed. Please give a date in an open year."
        ).format(year=error.params.get("year", "?"))
    return _(
        "Activities can be logged from {earliest} on (the start of the previous quarter)."
    ).format(earliest=error.params["earliest"].isoformat())


async def dates_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Today by the bot's clock, and the first day that may still be logged."""
    today = (await member_log(dialog_manager)).today
    yesterday = today - dt.timedelta(days=1)
    return {
        "today": today,
        "earliest": activities.earliest_date(today),
        "example": today.isoformat(),
        "today_label": _("Today ({date})").format(date=today.isoformat()),
        "yesterday_label": _("Yesterday ({date})").format(date=yesterday.isoformat()),
    }


async def _day_chosen(callback: CallbackQuery, manager: DialogManager, day: dt.date) -> None:
    try:
        activities.check_date(day, (await member_log(manager)).today)
    except DomainError as error:
        await callback.answer(date_error(error), show_alert=True)
        return
    manager.dialog_data["day"] = day.isoformat()
    await advance(manager)


async def today_picked(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Step 2 answered with "Today"."""
    await _day_chosen(callback, manager, (await member_log(manager)).today)


async def yesterday_picked(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Step 2 answered with "Yesterday"."""
    today = (await member_log(manager)).today
    await _day_chosen(callback, manager, today - dt.timedelta(days=1))


async def day_picked(
    callback: ChatEvent, widget: ManagedCalendar, manager: DialogManager, day: dt.date, /
) -> None:
    """Step 2 answered on the calendar; the range is checked again, the button may be forged."""
    assert isinstance(callback, CallbackQuery)
    await _day_chosen(callback, manager, day)


async def date_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Step 2 answered with a typed date."""
    assert message.text is not None
    # A refusal is answered on its own; the step's card above still stands.
    manager.show_mode = ShowMode.NO_UPDATE
    today = (await member_log(manager)).today
    day = parse_day(message.text, today)
    if day is None:
        await message.answer(
            _("Please type the date like {example}, or tap Today or Yesterday.").format(
                example=today.isoformat()
            )
        )
        return
    try:
        activities.check_date(day, today)
    except DomainError as error:
        await message.answer(date_error(error))
        return
    manager.dialog_data["day"] = day.isoformat()
    manager.show_mode = ShowMode.AUTO
    await advance(manager)


# --- 3: the sector ----------------------------------------------------------------------------


async def own_sector_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The member's own sector."""
    log = await member_log(dialog_manager)
    name = display_name(log.member.sector, log.turn.locale)
    return {"own_sector_label": _("My sector: {name}").format(name=name)}


async def sectors_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Every sector."""
    log = await member_log(dialog_manager)
    sectors = await list_sectors(log.session)
    return {"sectors": [(sector.id, display_name(sector, log.turn.locale)) for sector in sectors]}


async def own_sector(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Step 3 answered with the member's own sector."""
    manager.dialog_data["sector_id"] = (await member_log(manager)).member.sector.id
    await advance(manager)


async def sector_picked(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Step 3 answered from the list of every sector."""
    log = await member_log(manager)
    sector = await get_sector(log.session, int(item)) if item.isdigit() else None
    if sector is None:
        await refuse_button(callback, "sector", item)
        return
    manager.dialog_data["sector_id"] = sector.id
    await advance(manager)


# --- 4: people reached ------------------------------------------------------------------------


async def people_getter(**_kwargs: Any) -> dict[str, Any]:
    """The allowed range."""
    return {"low": activities.PEOPLE_MIN, "high": activities.PEOPLE_MAX}


async def people_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Step 4 answered."""
    assert message.text is not None
    # A refusal is answered on its own; the step's card above still stands.
    manager.show_mode = ShowMode.NO_UPDATE
    count = parse_count(message.text)
    if count is None or not activities.PEOPLE_MIN <= count <= activities.PEOPLE_MAX:
        await message.answer(
            _("Please type a whole number from {low} to {high}.").format(
                low=activities.PEOPLE_MIN, high=activities.PEOPLE_MAX
            )
        )
        return
    manager.dialog_data["people"] = count
    manager.show_mode = ShowMode.AUTO
    await advance(manager)
