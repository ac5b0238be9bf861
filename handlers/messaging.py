"""Small helpers for answering a button press, and the answers to input of the wrong kind."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

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


async def text_expected(message: Message) -> None:
    """Anything but text while text is asked for."""
    await message.answer(_("Please type it as text, or tap ✖ Cancel."))


async def buttons_expected(message: Message) -> None:
    """Typing where a button is expected."""
    await message.answer(_("Please choose with the buttons above."))


async def reply_buttons_expected(message: Message) -> None:
    """Typing while a reply waits for a decision: send, rewrite or drop."""
    await message.answer(_("Please use the buttons above: send, rewrite or drop."))
