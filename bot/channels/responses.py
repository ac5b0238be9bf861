"""Keep aiogram's parsed-response models alive for the Bot API methods the bot calls.

aiogram parses every reply with ``Response[method.__returning__]``, and pydantic keeps such
parametrized models only weakly: once the garbage collector frees one, the next call builds
it again, which costs more than the rest of an echo update. Holding one reference to each
removes that cost for every channel (Telegram's HTTP session and the web chat alike).
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

_pinned: dict[object, type[Response[Any]]] = {}


def pin_response_models() -> int:
    """Build (once) and hold the response model of every method in use; return how many."""
    for method in USED_METHODS:
        returning = method.__returning__
        if returning not in _pinned:
            _pinned[returning] = Response[returning]  # type: ignore[valid-type]
    return len(_pinned)
