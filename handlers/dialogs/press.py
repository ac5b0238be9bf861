"""Answering what a dialog window received: a press answered once, a choice kept in the chat.

aiogram-dialog answers every press it handles with an empty answer. A callback that has
something to say (a refusal, an alert) answers through ``answer_press``, and the engine's
message manager then leaves that press alone, so the user sees the text and Telegram is not
asked to answer the same press twice.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.manager.message_manager import MessageManager

log = logging.getLogger(__name__)

# The id of the press answered during this update; a press id is unique, so a value left
# over from an earlier update in the same task can never match.
_answered: ContextVar[str | None] = ContextVar("answered_press", default=None)


class AnswerOnce(MessageManager):
    """The engine's message manager, which skips presses a callback has answered already."""

    async def answer_callback(self, bot: Bot, callback_query: CallbackQuery) -> None:
        """Answer the press unless ``answer_press`` did."""
        if _answered.get() == callback_query.id:
            return
        await super().answer_callback(bot, callback_query)


async def answer(manager: DialogManager, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the press being handled (a toast, or an alert), once; the window goes on as usual."""
    event = manager.event
    if isinstance(event, CallbackQuery) and _answered.get() != event.id:
        await event.answer(text, show_alert=alert)
        _answered.set(event.id)


async def answer_press(
    manager: DialogManager, text: str | None = None, *, show_alert: bool = False
) -> None:
    """Answer the press being handled with ``text``, and keep the window as it is."""
    await answer(manager, text, alert=show_alert)
    manager.show_mode = ShowMode.NO_UPDATE


async def refuse_input(message: Message, manager: DialogManager, text: str) -> None:
    """Say what is wrong with what was typed or sent, and leave the step's question above it."""
    await message.answer(text)
    manager.show_mode = ShowMode.NO_UPDATE


async def show_answer(callback: CallbackQuery, text: str) -> None:
    """Replace a pressed card with the answer given, so its buttons cannot be pressed again."""
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(text)
        except TelegramBadRequest as error:
            log.debug("could not mark the choice: %s", error)


async def mark_choice(manager: DialogManager, text: str) -> None:
    """Replace the pressed card with the answer given; the next window is drawn below it.

    The chat then reads as the questions answered so far, as the forms always have.
    """
    if isinstance(manager.event, CallbackQuery):
        await show_answer(manager.event, text)
    manager.show_mode = ShowMode.SEND


async def pass_on(message: Message, widget: object, manager: DialogManager) -> None:
    """A card takes no typing: a message goes on to the handlers after the dialogs."""
    raise SkipHandler
