"""Broadcasts: staff compose a notice, choose an audience, preview, send or schedule, cancel."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, StartMode

from handlers import keyboards
from handlers.filters import ButtonText
from handlers.staff import broadcast_progress
from handlers.staff.broadcast_audience import audience_offer
from handlers.staff.broadcast_dialog import BroadcastForm, broadcast_dialog
from handlers.staff.desk import Desk
from handlers.texts import Buttons


async def new_broadcast(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """The menu button: a fresh draft (whatever dialog was open is dropped)."""
    await desk.state.clear()
    await desk.turn.say(
        _("Let's write a broadcast. You will see a preview before anything is sent."),
        reply_markup=keyboards.cancel_only(),
    )
    await dialog_manager.start(
        BroadcastForm.audience, mode=StartMode.RESET_STACK, data=await audience_offer(desk)
    )


def setup() -> Router:
    """The menu button, the progress card's button and a fresh broadcast dialog."""
    router = Router(name="staff-broadcasts")
    router.message.register(new_broadcast, ButtonText(Buttons.BROADCAST))
    router.include_routers(broadcast_progress.setup(), broadcast_dialog())
    return router
