"""One path from a stored message to a Bot API call.

An :class:`~services.outbox.queue.Outgoing` (text, inline buttons, a stored file sent as a photo or
a document) becomes the same call wherever it is sent from: the delivery loop, a broadcast's
preview to its author, a progress message kept current. A recipient and an author therefore
see exactly the same thing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from services.meetings.materials import file_path
from services.outbox.queue import Outgoing
from storage.models import StoredFile

Attachment = str | BufferedInputFile


class AttachmentGoneError(LookupError):
    """The stored file a message names is no longer there."""


def markup_of(rows: list[list[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    """Inline buttons as the outbox stores them, as a keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton.model_validate(button) for button in row] for row in rows
        ]
    )


async def attachment_of(
    stored: StoredFile | None, *, key: str, reuses_file_ids: bool, files_dir: Path
) -> Attachment:
    """What to send for a stored file: the channel's own id when it takes one back, else bytes."""
    if stored is None:
        raise AttachmentGoneError(key)
    if reuses_file_ids and stored.telegram_file_id:
        return stored.telegram_file_id
    data = await asyncio.to_thread(file_path(files_dir, key).read_bytes)
    return BufferedInputFile(data, filename=stored.name)


async def send_outgoing(
    bot: Bot,
    chat_id: int,
    message: Outgoing,
    *,
    attachment: Attachment | None = None,
    paid: bool = False,
) -> Message:
    """Send ``message``; ``attachment`` is its file (see :func:`attachment_of`), if it has one."""
    extra: dict[str, Any] = {"allow_paid_broadcast": True} if paid else {}
    markup = markup_of(message.buttons)
    if attachment is None:
        return await bot.send_message(chat_id, message.text, reply_markup=markup, **extra)
    caption = message.text or None
    if message.photo:
        return await bot.send_photo(
            chat_id, attachment, caption=caption, reply_markup=markup, **extra
        )
    return await bot.send_document(
        chat_id, attachment, caption=caption, reply_markup=markup, **extra
    )
