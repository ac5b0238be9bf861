"""The broadcast dialog's typed steps: the text (with its formatting) and a photo or document."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from handlers.channel import ChannelCapabilities
from handlers.dialogs.press import refuse_input
from handlers.staff.broadcast_review import desk_of, proceed, to_review
from handlers.staff.desk import Desk
from handlers.states import BroadcastForm
from services.broadcasts.queue import check_text, text_limit, visible_length
from services.errors import DomainError
from services.meetings.materials import MAX_FILE_BYTES, keep_file

log = logging.getLogger(__name__)


class InputRefusedError(Exception):
    """Input that cannot be taken; ``text`` says what to send instead."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class KeptAttachment:
    """A stored photo or document, and the text to go with it."""

    kind: str
    key: str
    name: str
    text: str


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


def typed_text(message: Message, *, attachment: bool) -> str:
    """The text as Telegram HTML (``html_text`` keeps the formatting), or why it cannot be."""
    text = message.html_text
    try:
        check_text(text, attachment=attachment)
    except DomainError as error:
        if error.code == "text_length":
            raise InputRefusedError(too_long(visible_length(text), attachment=attachment)) from None
        raise InputRefusedError(_("Please type the text of the broadcast.")) from None
    return text


def text_expected() -> str:
    """A photo, sticker or anything else where the text is expected."""
    return _("Please type the text first; you can add a photo or a document in the next step.")


def attachment_expected() -> str:
    """Anything but a photo or document in the attachment step."""
    return _("Please send a photo or a document, or skip.")


def _file_of(message: Message) -> tuple[str, str, int | None, str, str]:
    """Kind, Telegram file id, size, name and MIME type of a photo or document."""
    if message.photo:
        photo = message.photo[-1]
        return "photo", photo.file_id, photo.file_size, "photo.jpg", "image/jpeg"
    document = message.document
    if document is None:
        raise InputRefusedError(attachment_expected())
    return (
        "document",
        document.file_id,
        document.file_size,
        document.file_name or "document",
        document.mime_type or "application/octet-stream",
    )


async def keep_attachment(
    message: Message,
    bot: Bot,
    desk: Desk,
    *,
    capabilities: ChannelCapabilities,
    text: str,
) -> KeptAttachment:
    """Store a photo or document; its caption, if any, replaces ``text`` (the draft's)."""
    kind, file_id, size, name, mime_type = _file_of(message)
    if message.caption:
        text = message.html_text
    try:
        check_text(text, attachment=True)
    except DomainError as error:
        if error.code != "text_length":
            raise InputRefusedError(_("Please type the text of the broadcast.")) from None
        raise InputRefusedError(
            too_long(visible_length(text), attachment=True)
            + "\n"
            + _("Or skip the attachment, and shorten the text with “✏️ Text” before adding it.")
        ) from None
    if size and size > MAX_FILE_BYTES:
        raise InputRefusedError(_("That file is larger than 20 MB. Please send a smaller one."))
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
    return KeptAttachment(kind=kind, key=key, name=name, text=text)


async def text_typed(message: Message, _widget: Any, manager: DialogManager) -> None:
    """The text; under a photo or document kept earlier, the caption's limit applies."""
    data = manager.dialog_data
    attachment = bool(data.get("photo") or data.get("document"))
    try:
        data["text"] = typed_text(message, attachment=attachment)
    except InputRefusedError as refused:
        await refuse_input(message, manager, refused.text)
        return
    await proceed(manager, BroadcastForm.attachment)


async def not_text(message: Message, _widget: Any, manager: DialogManager) -> None:
    """A photo, sticker or anything else where the text is expected."""
    await refuse_input(message, manager, text_expected())


async def attachment_skipped(message: Message, _widget: Any, manager: DialogManager) -> None:
    """No attachment (also removes one chosen before)."""
    manager.dialog_data.update(photo=None, document=None, attachment_name=None)
    await to_review(manager)


async def attachment_sent(message: Message, _widget: Any, manager: DialogManager) -> None:
    """A photo or document; its caption, if any, replaces the text."""
    data = manager.dialog_data
    try:
        kept = await keep_attachment(
            message,
            manager.middleware_data["bot"],
            desk_of(manager),
            capabilities=manager.middleware_data["capabilities"],
            text=str(data.get("text", "")),
        )
    except InputRefusedError as refused:
        await refuse_input(message, manager, refused.text)
        return
    other = "document" if kept.kind == "photo" else "photo"
    data.update({kept.kind: kept.key, other: None, "attachment_name": kept.name, "text": kept.text})
    await to_review(manager)


async def not_attachment(message: Message, _widget: Any, manager: DialogManager) -> None:
    """Anything but a photo, a document or Skip."""
    await refuse_input(message, manager, attachment_expected())
