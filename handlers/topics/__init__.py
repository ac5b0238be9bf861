"""Consultation topics in the chat: suggesting one, the office's desk and plan, ``/plan``."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager

from handlers.filters import ButtonText
from handlers.staff.context import ActiveStaff
from handlers.texts import Buttons


async def suggest_command(message: Message, dialog_manager: DialogManager) -> None:
    """A resident or a member suggests a topic."""
    from handlers.topics.suggest import start_suggestion

    await start_suggestion(dialog_manager)


async def desk_command(message: Message, dialog_manager: DialogManager) -> None:
    """Open the office's topic desk."""
    from aiogram_dialog import StartMode

    from handlers.topics.states import TopicDesk

    await dialog_manager.start(TopicDesk.list, mode=StartMode.RESET_STACK)


def setup() -> Router:
    """The ways in and the dialogs of topics, on fresh routers."""
    from handlers.topics import plan_view
    from handlers.topics.desk import topic_desk_dialog
    from handlers.topics.suggest import suggestion_dialog

    router = Router(name="topics")
    desk = Router(name="topics-desk")
    for observer in (desk.message, desk.callback_query):
        observer.filter(ActiveStaff())
    desk.message.register(desk_command, Command("topics"))
    desk.message.register(desk_command, ButtonText(Buttons.TOPICS))
    desk.include_router(topic_desk_dialog())
    router.message.register(suggest_command, Command("suggest"))
    router.message.register(suggest_command, ButtonText(Buttons.SUGGEST_TOPIC))
    router.include_routers(plan_view.setup(), desk, suggestion_dialog())
    return router
