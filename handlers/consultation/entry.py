"""Where members' and guests' screens open a consultation's speaking and remarks."""

from __future__ import annotations

from aiogram_dialog import DialogManager


async def start_speaking(manager: DialogManager, meeting_id: int) -> None:
    """Open the speaking screen of ``meeting_id`` for the chat pressing (member or guest)."""
    raise NotImplementedError
