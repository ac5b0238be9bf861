"""The member's menu: log an activity, my progress, my activities."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers.filters import ButtonText
from handlers.member.context import LogContext
from handlers.member.log_entry import entry_open, open_entry
from handlers.member.my_activities import show_activities
from handlers.member.progress import show_progress
from handlers.texts import Buttons


async def log_button(message: Message, log: LogContext, dialog_manager: DialogManager) -> None:
    """Start an entry."""
    await open_entry(log, dialog_manager)


async def progress_command(
    message: Message, log: LogContext, dialog_manager: DialogManager
) -> None:
    """Show the progress card."""
    await show_progress(message, log)
    await back_to_entry(log, dialog_manager)


async def activities_command(
    message: Message, log: LogContext, dialog_manager: DialogManager
) -> None:
    """List my activities."""
    await show_activities(message, log, dialog_manager)


async def back_to_entry(log: LogContext, manager: DialogManager) -> None:
    """After a detour, remind a member who is writing an entry where they were."""
    if entry_open(manager):
        await log.turn.say(_("Your unsaved entry is kept. Let's go on:"))
        await manager.show(ShowMode.SEND)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-menu")
    router.message.register(log_button, ButtonText(Buttons.LOG))
    router.message.register(progress_command, Command("progress"))
    router.message.register(progress_command, ButtonText(Buttons.PROGRESS))
    router.message.register(activities_command, Command("activities"))
    router.message.register(activities_command, ButtonText(Buttons.ACTIVITIES))
    return router
