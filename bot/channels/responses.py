"""Keep aiogram's parsed-response models alive for the Bot API methods the bot calls.

aiogram parses every reply with ``Response[method.__returning__]``, and pydantic keeps such
parametrized models only weakly: once the garbage collector frees one, the next call builds
it again, which costs more than the rest of an echo update. Holding one reference to each
removes that cost for every channel (Telegram's HTTP session and the web chat alike): the
Dispatcher holds them for as long as it lives.
"""

from __future__ import annotations

from typing import Any

from aiogram import methods
from aiogram.methods import Response

USED_METHODS: tuple[type[methods.TelegramMethod[Any]], ...] = (
    methods.AnswerCallbackQuery,
    methods.DeleteMessage,
    methods.DeleteWebhook,
    methods.EditMessageReplyMarkup,
    methods.EditMessageText,
    methods.GetFile,
    methods.GetMe,
    methods.GetUpdates,
    methods.SendChatAction,
    methods.SendDocument,
    methods.SendLocation,
    methods.SendMessage,
    methods.SendPhoto,
    methods.SetMyCommands,
    methods.SetWebhook,
)


def response_models() -> dict[object, type[Response[Any]]]:
    """The response model of every method in use; whoever holds the result keeps them alive."""
    return {
        method.__returning__: Response[method.__returning__]  # type: ignore[name-defined]
        for method in USED_METHODS
    }
