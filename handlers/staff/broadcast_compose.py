"""The broadcast's text (with the staff member's formatting) and its optional photo or document."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.channel import ChannelCapabilities
from handlers.filters import ButtonText
from handlers.staff.broadcast_callbacks import BroadcastForm
from handlers.staff.broadcast_steps import advance
from handlers.staff.desk import Desk
from handlers.texts import Buttons
from services.broadcasts.queue import check_text, text_limit, visible_length
from services.errors import DomainError
from services.meetings.materials import MAX_FILE_BYTES, keep_file

log = logging.getLogger(__name__)


def too_long(length: int, *, attachment: bool) -> str:
    """Why a text does not fit, and what to do."""
    maximum = text_limit(attachment=attachment)
    if attachment:
        return _(
            "The text has {length} characters; under a photo or document Telegram allows "
            "{maximum}. Please shorten it."
        ).format(length=length, maximum=maximum)
    return _(
        "The text has {length} characters; a message can have at most {maximum}. Please shorten it."
    ).format(length=length, maximum=maximum)


async def text_typed(message: Message, desk: Desk, channel: str) -> None:
    """The text; ``html_text`` keeps the staff member's formatting as Telegram HTML."""
    text = message.html_text
    data = await desk.state.get_data()
    attachment = bool(data.get("photo") or data.get("document"))
    try:
        check_text(text, attachment=attachment)
    except DomainError as error:
        if error.code == "text_length":
            await message.answer(too_long(visible_length(text), attachment=attachment))
        else:
            await message.answer(_("Please type the text of the broadcast."))
        return
    await desk.state.update_data(text=text)
    await advance(desk, channel)


async def text_expected(message: Message) -> None:
    """A photo, sticker or anything else where the text is expected."""
    await message.answer(
        _("Please type the text first; you can add a photo or a document in the next step.")
    )


async def _keep_attachment(
    message: Message,
    bot: Bot,
    desk: Desk,
    channel: str,
    *,
    capabilities: ChannelCapabilities,
    file_id: str,
    size: int | None,
    name: str,
    mime_type: str,
    kind: str,
) -> None:
    data = await desk.state.get_data()
    text = message.html_text if message.caption else str(data.get("text", ""))
    try:
        check_text(text, attachment=True)
    except DomainError as error:
        if error.code != "text_length":
            await message.answer(_("Please type the text of the broadcast."))
            return
        await message.answer(
            too_long(visible_length(text), attachment=True)
            + "\n"
            + _("Or skip the attachment, and shorten the text with “✏️ Text” before adding it.")
        )
        return
    if size and size > MAX_FILE_BYTES:
        await message.answer(_("That file is larger than 20 MB. Please send a smaller one."))
        return
    downloaded = await bot.download(file_id)
    assert downloaded is not None
    key = await keep_file(
        desk.session,
        root=desk.files_dir,
        data=downloaded.read(),
        name=name,
        mime_type=mime_type,
        now=desk.now,
        telegram_file_id=file_id if capabilities.reuses_file_ids else None,
    )
    other = "document" if kind == "photo" else "photo"
    await desk.state.update_data({kind: key, other: None, "attachment_name": name, "text": text})
    await advance(desk, channel)


async def photo_received(
    message: Message, bot: Bot, desk: Desk, channel: str, capabilities: ChannelCapabilities
) -> None:
    """A photo; its caption, if any, replaces the text."""
    assert message.photo
    photo = message.photo[-1]
    await _keep_attachment(
        message,
        bot,
        desk,
        channel,
        capabilities=capabilities,
        file_id=photo.file_id,
        size=photo.file_size,
        name="photo.jpg",
        mime_type="image/jpeg",
        kind="photo",
    )


async def document_received(
    message: Message, bot: Bot, desk: Desk, channel: str, capabilities: ChannelCapabilities
) -> None:
    """A document; its caption, if any, replaces the text."""
    document = message.document
    assert document is not None
    await _keep_attachment(
        message,
        bot,
        desk,
        channel,
        capabilities=capabilities,
        file_id=document.file_id,
        size=document.file_size,
        name=document.file_name or "document",
        mime_type=document.mime_type or "application/octet-stream",
        kind="document",
    )


async def attachment_skipped(message: Message, desk: Desk, channel: str) -> None:
    """No attachment (also removes one chosen before)."""
    await desk.state.update_data(photo=None, document=None, attachment_name=None)
    await advance(desk, channel)


async def attachment_expected(message: Message) -> None:
    """Anything but a photo or document in the attachment step."""
    await message.answer(_("Please send a photo or a document, or skip."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-broadcast-compose")
    # An unknown command is answered as one, never taken for the text.
    router.message.register(text_typed, BroadcastForm.text, F.text, ~F.text.startswith("/"))
    router.message.register(text_expected, BroadcastForm.text, ~F.text.startswith("/"))
    router.message.register(attachment_skipped, BroadcastForm.attachment, ButtonText(Buttons.SKIP))
    router.message.register(photo_received, BroadcastForm.attachment, F.photo)
    router.message.register(document_received, BroadcastForm.attachment, F.document)
    router.message.register(attachment_expected, BroadcastForm.attachment)
    return router
