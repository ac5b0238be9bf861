"""A broadcast's message sent to one chat the way the delivery loop sends it: the preview."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiogram import Bot
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.files import file_path
from services.outbox import Outgoing
from storage.models import StoredFile


class AttachmentGoneError(LookupError):
    """The stored file of a draft is no longer there."""


def markup_of(rows: list[list[dict[str, str]]]) -> InlineKeyboardMarkup | None:
    """Inline buttons as the outbox stores them, as a keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton.model_validate(button) for button in row] for row in rows
        ]
    )


async def send_outgoing(
    bot: Bot,
    *,
    chat_id: int,
    channel: str,
    message: Outgoing,
    session: AsyncSession,
    files_dir: Path,
) -> Message:
    """Send a rendered message with its stored file, exactly as recipients get it."""
    markup = markup_of(message.buttons)
    key = message.photo or message.document
    if key is None:
        return await bot.send_message(chat_id, message.text, reply_markup=markup)
    stored = await session.get(StoredFile, key)
    if stored is None:
        raise AttachmentGoneError(key)
    attachment: str | BufferedInputFile
    if channel == "telegram" and stored.telegram_file_id:
        attachment = stored.telegram_file_id
    else:
        data = await asyncio.to_thread(file_path(files_dir, key).read_bytes)
        attachment = BufferedInputFile(data, filename=stored.name)
    caption = message.text or None
    if message.photo:
        return await bot.send_photo(chat_id, attachment, caption=caption, reply_markup=markup)
    return await bot.send_document(chat_id, attachment, caption=caption, reply_markup=markup)
