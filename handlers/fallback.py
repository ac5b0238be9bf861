"""Last in line: unknown commands, stray input, expired buttons."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.texts import escape

log = logging.getLogger(__name__)


async def unknown_command(message: Message) -> None:
    """A command nobody handles."""
    assert message.text is not None
    command = message.text.split()[0][:40]
    await message.answer(
        _("I do not know the command {command}. Send /help to see what I can do.").format(
            command=escape(command)
        )
    )


async def stray_text(message: Message, menu_role: str) -> None:
    """Text outside any dialog."""
    await message.answer(
        _("Please choose from the menu below, or send /help."),
        reply_markup=keyboards.main_menu(menu_role),
    )


async def stray_media(message: Message, menu_role: str) -> None:
    """A photo, sticker, voice note or anything else outside a dialog."""
    await message.answer(
        _("To send a photo or a location with a report, tap “📝 Report an issue” first."),
        reply_markup=keyboards.main_menu(menu_role),
    )


async def stale_button(callback: CallbackQuery) -> None:
    """A button from an old message, or one that was tampered with."""
    log.info("chat %s pressed an inactive button %r", callback.from_user.id, callback.data)
    await callback.answer(
        _("This button is no longer active. Please use the menu."), show_alert=True
    )


def unknown_commands() -> Router:
    """Commands nobody above handled; placed before the dialogs so a command is never input."""
    router = Router(name="unknown-commands")
    router.message.register(unknown_command, F.text.startswith("/"))
    return router


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="fallback")
    router.message.register(stray_text, F.text)
    router.message.register(stray_media)
    router.callback_query.register(stale_button)
    return router
