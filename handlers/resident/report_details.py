"""The report dialog, steps 3 to 5: the description, photos and the location."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers import keyboards
from handlers.resident.flow import advance, draw_below, say
from handlers.texts import Buttons
from services.cases import limits
from services.errors import DomainError

log = logging.getLogger(__name__)

# --- step 3: description ---------------------------------------------------------------------


async def description_getter(**kwargs: Any) -> dict[str, Any]:
    """The length the description must have."""
    return {"minimum": limits.DESCRIPTION_MIN, "maximum": limits.DESCRIPTION_MAX}


async def description_entered(message: Message, widget: Any, manager: DialogManager) -> None:
    """Check the length and keep the description."""
    assert message.text is not None
    try:
        description = limits.check_description(message.text)
    except DomainError as error:
        if error.code == "description_too_long":
            await message.answer(
                _(
                    "That is too long: {length} characters, the limit is {maximum}. "
                    "Please shorten it and send it again; your other answers are kept."
                ).format(**error.params)
            )
        else:
            await message.answer(
                _(
                    "That is a bit short ({length} characters). Please write at least "
                    "{minimum} characters so that the staff understand the problem."
                ).format(**error.params)
            )
        return
    manager.dialog_data["description"] = description
    await advance(manager)


async def description_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """A photo, sticker or anything else instead of text."""
    await message.answer(
        _("Please type the description as text. You can add photos in the next step.")
    )


# --- step 4: photos --------------------------------------------------------------------------


def _photos(manager: DialogManager) -> list[dict[str, Any]]:
    return list(manager.dialog_data.get("photos") or [])


async def photos_getter(dialog_manager: DialogManager, **kwargs: Any) -> dict[str, Any]:
    """How many photos the report carries, and how many it may."""
    return {"count": len(_photos(dialog_manager)), "maximum": limits.MAX_PHOTOS}


def photo_keyboard(data: dict[str, Any]) -> Any:
    """Done (or Skip), remove the photos, cancel."""
    return keyboards.photo_step(has_photos=bool(data["count"]))


async def _add_photo(message: Message, manager: DialogManager, photo: dict[str, Any]) -> None:
    photos = _photos(manager)
    if len(photos) >= limits.MAX_PHOTOS:
        await message.answer(
            _(
                "At most {maximum} photos per report; this one was not added. "
                "Press “✅ Done” to go on."
            ).format(maximum=limits.MAX_PHOTOS)
        )
        return
    photos.append(photo)
    manager.dialog_data["photos"] = photos
    text = _("Photo {count} of {maximum} added.").format(
        count=len(photos), maximum=limits.MAX_PHOTOS
    )
    if len(photos) >= limits.MAX_PHOTOS:
        text += " " + _("That is the most a report can carry. Press “✅ Done” to go on.")
    await message.answer(text, reply_markup=keyboards.photo_step(has_photos=True))


async def photo_received(message: Message, widget: Any, manager: DialogManager) -> None:
    """Keep the largest size of a photo."""
    assert message.photo
    size = message.photo[-1]
    await _add_photo(
        message,
        manager,
        {
            "file_id": size.file_id,
            "file_unique_id": size.file_unique_id,
            "width": size.width,
            "height": size.height,
            "file_size": size.file_size,
            "mime_type": "image/jpeg",
        },
    )


def _done_or_skip(manager: DialogManager) -> str:
    # Name the button the keyboard really shows: "Done" only once a photo was added.
    return _(Buttons.DONE if _photos(manager) else Buttons.SKIP)


async def document_received(message: Message, widget: Any, manager: DialogManager) -> None:
    """An image sent as a file counts as a photo; any other file does not.

    A GIF arrives as a document too (Telegram fills both fields), so it is refused here.
    """
    document = message.document
    assert document is not None
    if document.mime_type not in limits.PHOTO_TYPES:
        await message.answer(
            _(
                "Only photos can be attached (JPEG, PNG or WebP). Send a photo or press “{button}”."
            ).format(button=_done_or_skip(manager)),
            reply_markup=keyboards.photo_step(has_photos=bool(_photos(manager))),
        )
        return
    if document.file_size and document.file_size > limits.PHOTO_MAX_BYTES:
        await message.answer(
            _("This picture is larger than {megabytes} MB. Please send a smaller one.").format(
                megabytes=limits.PHOTO_MAX_BYTES // (1024 * 1024)
            )
        )
        return
    await _add_photo(
        message,
        manager,
        {
            "file_id": document.file_id,
            "file_unique_id": document.file_unique_id,
            "file_size": document.file_size,
            "mime_type": document.mime_type,
        },
    )


async def photos_done(message: Message, widget: Any, manager: DialogManager) -> None:
    """Go on with the photos added so far (maybe none)."""
    await advance(manager)


async def photos_removed(message: Message, widget: Any, manager: DialogManager) -> None:
    """Start the photos again."""
    manager.dialog_data["photos"] = []
    await message.answer(_("The photos were removed."))
    draw_below(manager)
    manager.show_mode = ShowMode.SEND


async def photo_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Text, a sticker, a video or a voice note instead of a photo."""
    await message.answer(
        _("Please send a photo, or press “{button}”.").format(button=_done_or_skip(manager)),
        reply_markup=keyboards.photo_step(has_photos=bool(_photos(manager))),
    )


# --- step 5: location ------------------------------------------------------------------------


async def location_received(message: Message, widget: Any, manager: DialogManager) -> None:
    """Keep the point."""
    assert message.location is not None
    manager.dialog_data["location"] = {
        "latitude": message.location.latitude,
        "longitude": message.location.longitude,
    }
    await _leave_location_step(manager, _("📍 Location added."))


async def location_skipped(message: Message, widget: Any, manager: DialogManager) -> None:
    """No location."""
    manager.dialog_data["location"] = None
    await _leave_location_step(manager, _("No location, then."))


async def _leave_location_step(manager: DialogManager, text: str) -> None:
    """Take the location step's keyboard away before the contact question.

    Its Skip would otherwise stay under the contact question's own buttons, and a press on
    it be refused there. The review takes the keyboard away itself.
    """
    if not manager.dialog_data.get("editing"):
        await say(manager, text, reply_markup=keyboards.cancel_only())
    await advance(manager)


async def location_got_photo(message: Message, widget: Any, manager: DialogManager) -> None:
    """A late photo, typically the fourth of an album."""
    await message.answer(
        _("At most {maximum} photos per report; this one was not added.").format(
            maximum=limits.MAX_PHOTOS
        )
        + "\n"
        + _("Please share the location with the button below, or skip.")
    )


async def location_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything else while a location is expected."""
    await message.answer(
        _("Please share the location with the button below, or skip."),
        reply_markup=keyboards.share_location(skippable=True),
    )
