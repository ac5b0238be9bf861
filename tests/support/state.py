"""Helpers that read a chat's dialog state straight from the FSM storage."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.storage.base import StorageKey

from tests.support.chat import ChatUser


async def draft_of(user: ChatUser) -> tuple[str | None, dict[str, Any]]:
    key = StorageKey(
        bot_id=user.bot.id, chat_id=user.chat.id, user_id=user.user.id, destiny="default"
    )
    storage = user.dp.storage
    return await storage.get_state(key), await storage.get_data(key)
