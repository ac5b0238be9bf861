"""The activity dialog, step by step: kind, date, sector, people, paired people, place, summary."""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import DateCB, KindCB, PairedCB, PlaceCB, SectorCB
from handlers.member import keyboards as member_keyboards
from handlers.member.log_flow import LogContext, advance
from handlers.messaging import buttons_expected, show_choice
from handlers.parsing import parse_count, parse_day
from handlers.states import ActivityForm
from handlers.texts import escape
from services.errors import DomainError
from services.members import activities
from services.reference.catalog import display_name, get_sector, get_station, list_sectors

log_ = logging.getLogger(__name__)


def date_error(error: DomainError) -> str:
    """Why a date was refused."""
    if error.code == "date_future":
        return _("That date is in the future. Please give the day the activity took place.")
    return _(
        "Activities can be logged from {earliest} on (the start of the previous quarter)."
    ).format(earliest=error.params["earliest"].isoformat())


async def kind_picked(callback: CallbackQuery, callback_data: KindCB, log: LogContext) -> None:
    """Step 1 answered."""
    kind = log.rules.kind(callback_data.code)
    if kind is None:
        log_.warning("chat %s picked unknown kind %r", callback.from_user.id, callback_data.code)
        await callback.answer(_("This button is not valid."))
        return
    await log.state.update_data(kind=kind.code)
    await show_choice(
        callback, _("Kind: <b>{name}</b>").format(name=display_name(kind, log.turn.locale))
    )
    await advance(log)


async def date_picked(callback: CallbackQuery, callback_data: DateCB, log: LogContext) -> None:
    """Step 2 answered with a button."""
    try:
        day = activities.check_date(dt.date.fromisoformat(callback_data.day), log.today)
    except ValueError:
        log_.warning("chat %s sent date %r", callback.from_user.id, callback_data.day)
        await callback.answer(_("This button is not valid."))
        return
    except DomainError as error:
        await callback.answer(date_error(error), show_alert=True)
        return
    await log.state.update_data(day=day.isoformat())
    await show_choice(callback, _("Date: <b>{date}</b>").format(date=day.isoformat()))
    await advance(log)


async def date_typed(message: Message, log: LogContext) -> None:
    """Step 2 answered with a typed date."""
    assert message.text is not None
    day = parse_day(message.text, log.today)
    if day is None:
        await message.answer(
            _("Please type the date like {example}, or tap Today or Yesterday.").format(
                example=log.today.isoformat()
            )
        )
        return
    try:
        activities.check_date(day, log.today)
    except DomainError as error:
        await message.answer(date_error(error))
        return
    await log.state.update_data(day=day.isoformat())
    await advance(log)


async def sector_picked(callback: CallbackQuery, callback_data: SectorCB, log: LogContext) -> None:
    """Step 3 answered; id 0 opens the list of every sector."""
    if callback_data.id == 0:
        await callback.answer()
        sectors = await list_sectors(log.session)
        await log.turn.say(
            _("Which sector?"),
            reply_markup=member_keyboards.all_sectors(sectors, log.turn.locale),
        )
        return
    sector = await get_sector(log.session, callback_data.id)
    if sector is None:
        log_.warning("chat %s picked unknown sector %s", callback.from_user.id, callback_data.id)
        await callback.answer(_("This button is not valid."))
        return
    await log.state.update_data(sector_id=sector.id)
    await show_choice(
        callback, _("Sector: <b>{name}</b>").format(name=display_name(sector, log.turn.locale))
    )
    await advance(log)


async def people_typed(message: Message, log: LogContext) -> None:
    """Step 4 answered."""
    assert message.text is not None
    count = parse_count(message.text)
    if count is None or not activities.PEOPLE_MIN <= count <= activities.PEOPLE_MAX:
        await message.answer(
            _("Please type a whole number from {low} to {high}.").format(
                low=activities.PEOPLE_MIN, high=activities.PEOPLE_MAX
            )
        )
        return
    await log.state.update_data(people=count)
    await advance(log)


async def paired_toggled(callback: CallbackQuery, callback_data: PairedCB, log: LogContext) -> None:
    """Step 5: tick or untick a paired person; 0 is Done."""
    if callback_data.id == 0:
        chosen = set((await log.state.get_data()).get("paired", []))
        names = [p.name for p in log.member.paired if p.id in chosen] or [_("none")]
        await show_choice(
            callback, _("Paired people: {names}").format(names=escape("、".join(names)))
        )
        await advance(log)
        return
    own = {person.id for person in log.member.paired}
    if callback_data.id not in own:
        log_.warning(
            "chat %s ticked foreign paired person %s", callback.from_user.id, callback_data.id
        )
        await callback.answer(_("This button is not valid."))
        return
    chosen = set((await log.state.get_data()).get("paired", []))
    chosen ^= {callback_data.id}
    await log.state.update_data(paired=sorted(chosen))
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_reply_markup(
            reply_markup=member_keyboards.paired(log.member.paired, chosen)
        )


async def place_picked(callback: CallbackQuery, callback_data: PlaceCB, log: LogContext) -> None:
    """Step 6 answered with a station, or skipped (id 0)."""
    if callback_data.id == 0:
        await log.state.update_data(place="", station_id=None)
        await show_choice(callback, _("Place: not given"))
        await advance(log)
        return
    station = await get_station(log.session, callback_data.id)
    if station is None:
        log_.warning("chat %s picked unknown station %s", callback.from_user.id, callback_data.id)
        await callback.answer(_("This button is not valid."))
        return
    await log.state.update_data(place="", station_id=station.id)
    await show_choice(
        callback, _("Place: <b>{name}</b>").format(name=display_name(station, log.turn.locale))
    )
    await advance(log)


async def place_typed(message: Message, log: LogContext) -> None:
    """Step 6 answered with a typed place."""
    assert message.text is not None
    try:
        place = activities.check_place(message.text)
    except DomainError as error:
        await message.answer(
            _("That place name is too long ({length} characters, at most {maximum}).").format(
                **error.params
            )
        )
        return
    await log.state.update_data(place=place, station_id=None)
    await advance(log)


async def summary_typed(message: Message, log: LogContext) -> None:
    """Step 7 answered."""
    assert message.text is not None
    try:
        summary = activities.check_summary(message.text)
    except DomainError as error:
        if error.code == "summary_too_long":
            text = _(
                "That is too long: {length} characters, the limit is {maximum}. "
                "Please shorten it and send it again; your other answers are kept."
            )
        else:
            text = _("That is a bit short ({length} characters). Please write at least {minimum}.")
        await message.answer(text.format(**error.params))
        return
    await log.state.update_data(summary=summary)
    await advance(log)


async def text_expected(message: Message) -> None:
    """A photo, sticker or anything else where text is expected."""
    await message.answer(_("Please answer with text here. Photos come in the last step."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-log-steps")
    router.callback_query.register(kind_picked, ActivityForm.kind, KindCB.filter())
    router.message.register(buttons_expected, ActivityForm.kind)
    router.callback_query.register(date_picked, ActivityForm.date, DateCB.filter())
    router.message.register(date_typed, ActivityForm.date, F.text)
    router.message.register(text_expected, ActivityForm.date)
    router.callback_query.register(sector_picked, ActivityForm.sector, SectorCB.filter())
    router.message.register(buttons_expected, ActivityForm.sector)
    router.message.register(people_typed, ActivityForm.people, F.text)
    router.message.register(text_expected, ActivityForm.people)
    router.callback_query.register(paired_toggled, ActivityForm.paired, PairedCB.filter())
    router.message.register(buttons_expected, ActivityForm.paired)
    router.callback_query.register(place_picked, ActivityForm.place, PlaceCB.filter())
    router.message.register(place_typed, ActivityForm.place, F.text)
    router.message.register(text_expected, ActivityForm.place)
    router.message.register(summary_typed, ActivityForm.summary, F.text)
    router.message.register(text_expected, ActivityForm.summary)
    return router
