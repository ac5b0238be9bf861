"""The activity dialog's later steps: the paired people reached, the place, the summary."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import CancelEventProcessing, DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, ManagedMultiselect, Select

from handlers.member.log_steps import advance, member_log, refuse_button
from services.errors import DomainError
from services.members import activities
from services.reference.catalog import display_name, get_station

# --- 5: paired people -------------------------------------------------------------------------


async def paired_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The member's paired people, to tick."""
    log = await member_log(dialog_manager)
    return {"paired": [(str(person.id), person.name) for person in log.member.paired]}


async def paired_clicked(
    callback: CallbackQuery, widget: ManagedMultiselect[str], manager: DialogManager, item: str
) -> None:
    """Only the member's own paired people can be ticked; anything else is refused unticked."""
    own = {str(person.id) for person in (await member_log(manager)).member.paired}
    if item not in own:
        await refuse_button(callback, "paired person", item)
        raise CancelEventProcessing


async def paired_changed(
    event: object, widget: ManagedMultiselect[str], manager: DialogManager, item: str
) -> None:
    """Keep the ticked people with the rest of the entry."""
    manager.dialog_data["paired"] = sorted(int(person) for person in widget.get_checked())


async def paired_done(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Step 5 answered."""
    await advance(manager)


# --- 6: the place -----------------------------------------------------------------------------


async def stations_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The stations the member serves at."""
    log = await member_log(dialog_manager)
    stations = [
        (station.id, display_name(station, log.turn.locale)) for station in log.member.stations
    ]
    return {"stations": stations}


async def station_picked(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Step 6 answered with a station."""
    log = await member_log(manager)
    station = await get_station(log.session, int(item)) if item.isdigit() else None
    if station is None:
        await refuse_button(callback, "station", item)
        return
    manager.dialog_data.update(place="", station_id=station.id)
    await advance(manager)


async def no_place(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Step 6 skipped."""
    manager.dialog_data.update(place="", station_id=None)
    await advance(manager)


async def place_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Step 6 answered with a typed place."""
    assert message.text is not None
    # A refusal is answered on its own; the step's card above still stands.
    manager.show_mode = ShowMode.NO_UPDATE
    try:
        place = activities.check_place(message.text)
    except DomainError as error:
        await message.answer(
            _("That place name is too long ({length} characters, at most {maximum}).").format(
                **error.params
            )
        )
        return
    manager.dialog_data.update(place=place, station_id=None)
    manager.show_mode = ShowMode.AUTO
    await advance(manager)


# --- 7: the summary ---------------------------------------------------------------------------


async def summary_getter(**_kwargs: Any) -> dict[str, Any]:
    """The allowed length."""
    return {"low": activities.SUMMARY_MIN, "high": activities.SUMMARY_MAX}


async def summary_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Step 7 answered."""
    assert message.text is not None
    # A refusal is answered on its own; the step's card above still stands.
    manager.show_mode = ShowMode.NO_UPDATE
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
    manager.dialog_data["summary"] = summary
    manager.show_mode = ShowMode.AUTO
    await advance(manager)
