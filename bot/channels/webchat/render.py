"""Turn Bot API keyboards and texts into the JSON the web chat page draws."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.types import (
    ForceReply,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None


def resolve(bot: Bot, value: Any) -> Any:
    """A method's value, with the bot's defaults (like parse_mode) filled in."""
    if isinstance(value, Default):
        return bot.default[value.name]
    return value


def to_html(bot: Bot, text: str | None, parse_mode: Any) -> str | None:
    """Telegram HTML as it is, anything else escaped (Markdown is shown as typed)."""
    if text is None:
        return None
    mode = resolve(bot, parse_mode)
    if isinstance(mode, str) and mode.upper() == "HTML":
        return text
    return escape(text, quote=False)


def inline_keyboard(markup: Markup) -> list[list[dict[str, Any]]] | None:
    """Rows of inline buttons; None when the message has none."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return None
    return [
        [
            {"text": button.text, "callback_data": button.callback_data, "url": button.url}
            for button in row
        ]
        for row in markup.inline_keyboard
    ]


def reply_keyboard(markup: Markup) -> dict[str, Any] | None:
    """The keyboard under the input, ``{"remove": true}`` to clear it, None to leave it."""
    if isinstance(markup, ReplyKeyboardRemove):
        return {"remove": True}
    if not isinstance(markup, ReplyKeyboardMarkup):
        return None
    return {
        "keyboard": [
            [
                {
                    "text": button.text,
                    "request_location": bool(button.request_location),
                    "request_contact": bool(button.request_contact),
                }
                for button in row
            ]
            for row in markup.keyboard
        ]
    }
