"""The member's menu: log an activity, my progress, my activities."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers import keyboards
from handlers.callbacks import ActResumeCB
from handlers.filters import ButtonText
from handlers.member.log_flow import LogContext, ask_again, in_entry, open_entry, start_entry
from handlers.member.my_activities import show_activities
from handlers.member.progress import show_progress
from handlers.texts import Buttons

log_ = logging.getLogger(__name__)


async def log_button(message: Message, log: LogContext) -> None:
    """Start an entry."""
    await open_entry(log)


async def progress_command(message: Message, log: LogContext) -> None:
    """Show the progress card."""
    await show_progress(message, log)
    await back_to_entry(log)


async def activities_command(message: Message, log: LogContext) -> None:
    """List my activities."""
    await show_activities(message, log)
    await back_to_entry(log)


async def resume_chosen(
    callback: CallbackQuery, callback_data: ActResumeCB, log: LogContext
) -> None:
    """Continue the open entry, or start a new one."""
    await callback.answer()
    if callback_data.action == "continue" and await in_entry(log.state):
        await ask_again(log)
    elif callback_data.action == "continue":
        await log.turn.say(
            _("That entry was already saved or discarded."),
            reply_markup=keyboards.main_menu("member"),
        )
    elif callback_data.action == "restart":
        await start_entry(log)
    else:
        log_.warning("chat %s sent resume action %r", callback.from_user.id, callback_data.action)
        await log.turn.say(_("This button is not valid."))


async def back_to_entry(log: LogContext) -> None:
    """After a detour, remind a member who is writing an entry where they were."""
    if await in_entry(log.state):
        await log.turn.say(_("Your unsaved entry is kept. Let's go on:"))
        await ask_again(log)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-menu")
    router.message.register(log_button, ButtonText(Buttons.LOG))
    router.message.register(progress_command, Command("progress"))
    router.message.register(progress_command, ButtonText(Buttons.PROGRESS))
    router.message.register(activities_command, Command("activities"))
    router.message.register(activities_command, ButtonText(Buttons.ACTIVITIES))
    router.callback_query.register(resume_chosen, ActResumeCB.filter())
    return router
