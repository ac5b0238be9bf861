"""Broadcasts: staff compose a notice, choose an audience, preview, send or schedule, cancel."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from handlers.filters import ButtonText
from handlers.staff import (
    broadcast_audience,
    broadcast_compose,
    broadcast_progress,
    broadcast_review,
)
from handlers.staff.broadcast_steps import start_broadcast
from handlers.staff.desk import Desk
from handlers.texts import Buttons


async def new_broadcast(message: Message, desk: Desk) -> None:
    """The menu button: a fresh draft (whatever dialog was open is dropped)."""
    await start_broadcast(desk)


def setup() -> Router:
    """The handlers of this module and of the dialog's steps, on a fresh router."""
    router = Router(name="staff-broadcasts")
    router.message.register(new_broadcast, ButtonText(Buttons.BROADCAST))
    router.include_routers(
        broadcast_progress.setup(),
        broadcast_review.setup(),
        broadcast_audience.setup(),
        broadcast_compose.setup(),
    )
    return router
