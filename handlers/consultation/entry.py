"""Where members' and guests' screens open a consultation's speaking and remarks."""

from __future__ import annotations

from aiogram_dialog import DialogManager

from handlers.consultation.speaking import start_card


async def start_speaking(manager: DialogManager, meeting_id: int) -> None:
    """Open the speaking screen of ``meeting_id`` for the chat pressing (member or guest).

    The screen checks on every press that the chat may take part, so a caller need not.
    """
    await start_card(manager, meeting_id)
