"""The last step of an activity entry (photos), the review, saving and discarding it."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button

from handlers import keyboards
from handlers.member.context import LogContext
from handlers.member.log_steps import date_error, member_log, to_review
from handlers.messaging import show_choice
from handlers.states import ActivityForm
from handlers.texts import Buttons, escape
from services.cases.residents import PhotoRef
from services.errors import DomainError, NotFoundError
from services.members import activities
from services.members.activities import ActivityInput, edit_activity, log_activity
from services.members.progress import member_progress
from services.reference.catalog import display_name, get_sector, get_station

log_ = logging.getLogger(__name__)


# --- step 8: photos --------------------------------------------------------------------------


async def photos_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """How many photos so far."""
    return {
        "maximum": activities.MAX_PHOTOS,
        "count": len(dialog_manager.dialog_data.get("photos", [])),
    }


async def photo_received(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Keep the largest size of a photo, up to the limit; the step's card counts them in place."""
    assert message.photo
    photos = list(manager.dialog_data.get("photos", []))
    if len(photos) >= activities.MAX_PHOTOS:
        manager.show_mode = ShowMode.NO_UPDATE
        await message.answer(
            _("At most {maximum} photos per activity; this one was not added.").format(
                maximum=activities.MAX_PHOTOS
            )
        )
        return
    size = message.photo[-1]
    photos.append({"file_id": size.file_id, "file_unique_id": size.file_unique_id})
    manager.dialog_data["photos"] = photos
    manager.show_mode = ShowMode.EDIT
    await message.answer(
        _("Photo {count} of {maximum} added.").format(
            count=len(photos), maximum=activities.MAX_PHOTOS
        ),
        reply_markup=keyboards.photo_step(has_photos=True),
    )


async def photos_done(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Go on with the photos so far."""
    await to_review(manager)


async def photos_done_typed(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """“✅ Done” or “⏭ Skip” from the keyboard."""
    await to_review(manager)


async def photos_removed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Start the photos again."""
    manager.dialog_data["photos"] = []
    await callback.answer(_("The photos were removed."))


async def photos_removed_typed(
    message: Message, widget: MessageInput, manager: DialogManager
) -> None:
    """“🗑 Remove the photos” from the keyboard."""
    manager.dialog_data["photos"] = []
    manager.show_mode = ShowMode.EDIT
    await message.answer(
        _("The photos were removed."), reply_markup=keyboards.photo_step(has_photos=False)
    )


async def photo_expected(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Anything but a photo in the photo step."""
    has_photos = bool(manager.dialog_data.get("photos"))
    manager.show_mode = ShowMode.NO_UPDATE
    await message.answer(
        _("Please send a photo, or press “{button}”.").format(
            button=_(Buttons.DONE if has_photos else Buttons.SKIP)
        ),
        reply_markup=keyboards.photo_step(has_photos=has_photos),
    )


# --- the review ------------------------------------------------------------------------------


async def review_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The entry as the member will check it."""
    log = await member_log(dialog_manager)
    data = dialog_manager.dialog_data
    return {
        "entry": await render_entry(log, data),
        "editing_entry": data.get("activity_id") is not None,
        "has_paired": bool(log.member.paired),
    }


async def render_entry(log: LogContext, data: dict[str, Any]) -> str:
    """The draft as the member will check it; their text is escaped."""
    locale = log.turn.locale
    not_given = _("not given")
    kind = log.rules.kind(str(data.get("kind", "")))
    sector = await get_sector(log.session, data.get("sector_id") or 0)
    station = await get_station(log.session, data["station_id"]) if data.get("station_id") else None
    place = display_name(station, locale) if station else data.get("place") or not_given
    chosen = set(data.get("paired", []))
    paired = [person.name for person in log.member.paired if person.id in chosen]
    lines = [
        _("<b>Please check the activity</b>"),
        "",
        _("Kind: {value}").format(value=escape(display_name(kind, locale)) if kind else not_given),
        _("Date: {value}").format(value=data.get("day") or not_given),
        _("Sector: {value}").format(
            value=escape(display_name(sector, locale)) if sector else not_given
        ),
        _("People reached: {value}").format(value=data.get("people") or not_given),
        _("Paired people: {value}").format(
            value=escape("、".join(paired)) if paired else not_given
        ),
        _("Place: {value}").format(value=escape(place)),
        _("Photos: {value}").format(value=len(data.get("photos", [])) or not_given),
        "",
        _("Summary:"),
        f"<blockquote>{escape(str(data.get('summary', '')))}</blockquote>",
    ]
    return "\n".join(lines)


async def edit_part(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """An edit button of the review: the step it opens comes back here."""
    manager.dialog_data["editing"] = True


async def review_expected(message: Message, widget: MessageInput, manager: DialogManager) -> None:
    """Input while the review is on screen."""
    manager.show_mode = ShowMode.NO_UPDATE
    await message.answer(_("Please use the buttons above to edit, save or discard the entry."))


def entry_from(data: dict[str, Any], channel: str) -> ActivityInput:
    """The service's input from the dialog's data."""
    return ActivityInput(
        kind=str(data.get("kind", "")),
        occurred_on=dt.date.fromisoformat(str(data.get("day"))),
        sector_id=int(data.get("sector_id") or 0),
        people_count=int(data.get("people") or 0),
        summary=str(data.get("summary", "")),
        place=str(data.get("place", "")),
        station_id=data.get("station_id"),
        photos=[PhotoRef(**photo) for photo in data.get("photos", [])],
        paired_person_ids=list(data.get("paired", [])),
        channel=channel,
    )


async def discard(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Throw the entry away."""
    await show_choice(callback, _("Entry discarded."))
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    log = await member_log(manager)
    await log.turn.say(_("Nothing was saved."), reply_markup=keyboards.main_menu("member"))


async def save(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Save the entry (a new activity, or the changes to one), then the member's progress."""
    log = await member_log(manager)
    data = manager.dialog_data
    entry = entry_from(data, manager.middleware_data["channel"])
    rulebook = manager.middleware_data["rulebook"]
    try:
        if data.get("activity_id"):
            await edit_activity(
                log.session,
                member_id=log.member.id,
                activity_id=int(data["activity_id"]),
                data=entry,
                rulebook=rulebook,
                now=log.now,
                tz=log.turn.tz,
            )
        else:
            await log_activity(
                log.session,
                member_id=log.member.id,
                data=entry,
                rulebook=rulebook,
                now=log.now,
                tz=log.turn.tz,
            )
    except NotFoundError:
        await callback.answer(_("This entry no longer exists."), show_alert=True)
        await manager.done()
        return
    except DomainError as error:
        await callback.answer()
        await _repair(log, manager, error)
        return
    await show_choice(callback, _("Activity saved."))
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    progress = await member_progress(
        log.session,
        member_id=log.member.id,
        rules=log.rules,
        today=log.today,
        tz=log.turn.tz,
    )
    await log.turn.say(
        _(
            "✅ Saved. This quarter: {done} qualifying activities (minimum {minimum}). "
            "This year: {people} of {target} person-times."
        ).format(
            done=progress.quarter_activities,
            minimum=progress.quarter_minimum,
            people=progress.year_person_times,
            target=progress.year_minimum,
        ),
        reply_markup=keyboards.main_menu("member"),
    )


async def _repair(log: LogContext, manager: DialogManager, error: DomainError) -> None:
    """Send the member back to the part that no longer holds; the rest of the entry stays."""
    if error.code in ("date_future", "date_too_old", "year_closed"):
        manager.dialog_data["editing"] = True
        await log.turn.say(date_error(error))
        await manager.switch_to(ActivityForm.date, show_mode=ShowMode.SEND)
    elif error.code == "edit_window_closed":
        await manager.done()
        await log.turn.say(
            _(
                "Entries can be changed for {days} days after they are logged; this one is older."
            ).format(**error.params),
            reply_markup=keyboards.main_menu("member"),
        )
    else:
        await log.turn.say(_("Part of the entry needs another look."))
        await to_review(manager)
