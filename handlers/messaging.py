"""Small helpers for answering a button press."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

log = logging.getLogger(__name__)


async def replace_or_send(
    callback: CallbackQuery, bot: Bot, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Replace the message the button was on; send a new one if it cannot be edited."""
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as error:
            log.debug("edit failed, sending anew: %s", error)
    await bot.send_message(callback.from_user.id, text, reply_markup=markup)


async def show_choice(callback: CallbackQuery, text: str) -> None:
    """Replace a question's buttons with the answer given, so old buttons cannot be pressed."""
    await callback.answer()
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text)
        except TelegramBadRequest as error:
            log.debug("could not mark the choice: %s", error)
