"""The report dialog, step by step: station, category, description, photos, location, contact."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.callbacks import CategoryPickCB, ContactCB, NearestCB, StationPickCB
from handlers.filters import ButtonText
from handlers.messaging import show_choice
from handlers.resident.flow import advance, ask_phone, ask_photos
from handlers.states import ReportForm
from handlers.texts import Buttons
from handlers.turn import Turn
from services import limits
from services.errors import DomainError
from services.reference import display_name, get_category, get_station, nearest_stations

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


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
    await show_choice(
        callback, _("Station: <b>{name}</b>").format(name=display_name(station, locale))
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
        callback, _("Category: <b>{name}</b>").format(name=display_name(category, locale))
    )
    await advance(turn)


async def category_expected(message: Message) -> None:
    """Anything else while a category is expected."""
    await message.answer(_("Please choose a category with the buttons above."))


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
    """An image sent as a file counts as a photo; any other file does not."""
    document = message.document
    assert document is not None
    if document.mime_type not in IMAGE_TYPES:
        await message.answer(
            _("Only photos can be attached (JPEG, PNG or WebP). Send a photo or press “✅ Done”.")
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


# --- step 6: contact -------------------------------------------------------------------------


async def contact_chosen(
    callback: CallbackQuery,
    callback_data: ContactCB,
    state: FSMContext,
    turn: Turn,
) -> None:
    """Anonymous goes straight to the review; a phone number is asked for next."""
    if callback_data.choice == "anonymous":
        await state.update_data(phone=None)
        await show_choice(callback, _("Contact: anonymous"))
        await advance(turn)
    elif callback_data.choice == "phone":
        await show_choice(callback, _("Contact: by phone"))
        await ask_phone(turn)
    else:
        log.warning("chat %s sent contact choice %r", callback.from_user.id, callback_data.choice)
        await callback.answer(_("This button is not valid."))


async def contact_expected(message: Message) -> None:
    """Anything else while the contact choice is expected."""
    await message.answer(_("Please choose with the buttons above: anonymous or by phone."))


async def phone_shared(
    message: Message,
    turn: Turn,
) -> None:
    """The account's own number, shared with the button."""
    contact = message.contact
    assert contact is not None
    if message.from_user is None or contact.user_id != message.from_user.id:
        await message.answer(
            _("Please share your own number; this contact card belongs to someone else.")
        )
        return
    await _keep_phone(message, contact.phone_number, turn)


async def phone_typed(
    message: Message,
    turn: Turn,
) -> None:
    """A typed number."""
    assert message.text is not None
    await _keep_phone(message, message.text, turn)


async def _keep_phone(message: Message, raw: str, turn: Turn) -> None:
    try:
        phone = limits.normalize_phone(raw)
    except DomainError:
        await message.answer(
            _(
                "That does not look like a phone number. Please type digits only, "
                "for example 13800138000, or use the button."
            )
        )
        return
    await turn.state.update_data(phone=phone)
    await advance(turn)


async def phone_expected(message: Message) -> None:
    """Anything else while a number is expected."""
    await message.answer(_("Please share your number with the button below, or type it."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="report-steps")
    router.callback_query.register(station_picked, ReportForm.station, StationPickCB.filter())
    router.callback_query.register(nearest_requested, ReportForm.station, NearestCB.filter())
    router.message.register(station_by_location, ReportForm.station, F.location)
    router.message.register(station_expected, ReportForm.station)
    router.callback_query.register(category_picked, ReportForm.category, CategoryPickCB.filter())
    router.message.register(category_expected, ReportForm.category)
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
    router.callback_query.register(contact_chosen, ReportForm.contact, ContactCB.filter())
    router.message.register(contact_expected, ReportForm.contact)
    router.message.register(phone_shared, ReportForm.phone, F.contact)
    router.message.register(phone_typed, ReportForm.phone, F.text)
    router.message.register(phone_expected, ReportForm.phone)
    return router
