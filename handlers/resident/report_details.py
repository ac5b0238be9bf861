"""The report dialog, steps 3 to 5: the description, photos and the location."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.filters import ButtonText
from handlers.resident.flow import advance, ask_photos
from handlers.states import ReportForm
from handlers.texts import Buttons
from handlers.turn import Turn
from services.cases import limits
from services.errors import DomainError

log = logging.getLogger(__name__)

# --- step 3: description ---------------------------------------------------------------------


async def description_entered(
    message: Message,
    state: FSMContext,
    turn: Turn,
) -> None:
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
    await state.update_data(description=description)
    await advance(turn)


async def description_expected(message: Message) -> None:
    """A photo, sticker or anything else instead of text."""
    await message.answer(
        _("Please type the description as text. You can add photos in the next step.")
    )


# --- step 4: photos --------------------------------------------------------------------------


async def _add_photo(message: Message, state: FSMContext, photo: dict[str, object]) -> None:
    data = await state.get_data()
    photos = list(data.get("photos", []))
    if len(photos) >= limits.MAX_PHOTOS:
        await message.answer(
            _(
                "At most {maximum} photos per report; this one was not added. "
                "Press “✅ Done” to go on."
            ).format(maximum=limits.MAX_PHOTOS)
        )
        return
    photos.append(photo)
    await state.update_data(photos=photos)
    text = _("Photo {count} of {maximum} added.").format(
        count=len(photos), maximum=limits.MAX_PHOTOS
    )
    if len(photos) >= limits.MAX_PHOTOS:
        text += " " + _("That is the most a report can carry. Press “✅ Done” to go on.")
    await message.answer(text, reply_markup=keyboards.photo_step(has_photos=True))


async def photo_received(message: Message, state: FSMContext) -> None:
    """Keep the largest size of a photo."""
    assert message.photo
    size = message.photo[-1]
    await _add_photo(
        message,
        state,
        {
            "file_id": size.file_id,
            "file_unique_id": size.file_unique_id,
            "width": size.width,
            "height": size.height,
            "file_size": size.file_size,
            "mime_type": "image/jpeg",
        },
    )


async def document_received(message: Message, state: FSMContext) -> None:
    """An image sent as a file counts as a photo; any other file does not.

    A GIF arrives as a document too (Telegram fills both fields), so it is refused here.
    """
    document = message.document
    assert document is not None
    if document.mime_type not in limits.PHOTO_TYPES:
        # Name the button the keyboard really shows: "Done" only once a photo was added.
        has_photos = bool((await state.get_data()).get("photos"))
        await message.answer(
            _(
                "Only photos can be attached (JPEG, PNG or WebP). Send a photo or press “{button}”."
            ).format(button=_(Buttons.DONE if has_photos else Buttons.SKIP)),
            reply_markup=keyboards.photo_step(has_photos=has_photos),
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
        state,
        {
            "file_id": document.file_id,
            "file_unique_id": document.file_unique_id,
            "file_size": document.file_size,
            "mime_type": document.mime_type,
        },
    )


async def photos_done(
    message: Message,
    turn: Turn,
) -> None:
    """Go on with the photos added so far (maybe none)."""
    await advance(turn)


async def photos_removed(
    message: Message,
    state: FSMContext,
    turn: Turn,
) -> None:
    """Start the photos again."""
    await state.update_data(photos=[])
    await message.answer(_("The photos were removed."))
    await ask_photos(turn)


async def photo_expected(message: Message, state: FSMContext) -> None:
    """Text, a sticker, a video or a voice note instead of a photo."""
    has_photos = bool((await state.get_data()).get("photos"))
    await message.answer(
        _("Please send a photo, or press “{button}”.").format(
            button=_(Buttons.DONE if has_photos else Buttons.SKIP)
        ),
        reply_markup=keyboards.photo_step(has_photos=has_photos),
    )


# --- step 5: location ------------------------------------------------------------------------


async def location_received(
    message: Message,
    state: FSMContext,
    turn: Turn,
) -> None:
    """Keep the point."""
    assert message.location is not None
    await state.update_data(
        location={
            "latitude": message.location.latitude,
            "longitude": message.location.longitude,
        }
    )
    await advance(turn)


async def location_skipped(
    message: Message,
    state: FSMContext,
    turn: Turn,
) -> None:
    """No location."""
    await state.update_data(location=None)
    await advance(turn)


async def location_got_photo(message: Message) -> None:
    """A late photo, typically the fourth of an album."""
    await message.answer(
        _("At most {maximum} photos per report; this one was not added.").format(
            maximum=limits.MAX_PHOTOS
        )
        + "\n"
        + _("Please share the location with the button below, or skip.")
    )


async def location_expected(message: Message) -> None:
    """Anything else while a location is expected."""
    await message.answer(
        _("Please share the location with the button below, or skip."),
        reply_markup=keyboards.share_location(skippable=True),
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="report-details")
    router.message.register(description_entered, ReportForm.description, F.text)
    router.message.register(description_expected, ReportForm.description)
    router.message.register(photo_received, ReportForm.photos, F.photo)
    router.message.register(document_received, ReportForm.photos, F.document)
    router.message.register(photos_done, ReportForm.photos, ButtonText(Buttons.DONE))
    router.message.register(photos_done, ReportForm.photos, ButtonText(Buttons.SKIP))
    router.message.register(photos_removed, ReportForm.photos, ButtonText(Buttons.REMOVE_PHOTOS))
    router.message.register(photo_expected, ReportForm.photos)
    router.message.register(location_received, ReportForm.location, F.location)
    router.message.register(location_skipped, ReportForm.location, ButtonText(Buttons.SKIP))
    router.message.register(location_got_photo, ReportForm.location, F.photo)
    router.message.register(location_expected, ReportForm.location)
    return router
