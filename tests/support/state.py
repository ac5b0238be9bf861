"""Helpers that read a chat's dialog state straight from the FSM storage."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.storage.base import StorageKey

from tests.support.chat import ChatUser


def _engine_key(user: ChatUser, destiny: str) -> StorageKey:
    # Named as aiogram_dialog.context.storage names them: per chat, the default stack "".
    return StorageKey(
        bot_id=user.bot.id, chat_id=user.chat.id, user_id=user.chat.id, destiny=destiny
    )


async def draft_of(user: ChatUser) -> tuple[str | None, dict[str, Any]]:
    """The state and data of the dialog on top of the chat's stack, else of its plain FSM."""
    storage = user.dp.storage
    stack = await storage.get_data(_engine_key(user, "aiogd:stack:"))
    intents = stack.get("intents") or []
    if intents:
        context = await storage.get_data(_engine_key(user, f"aiogd:context:{intents[-1]}"))
        return context.get("state"), context.get("dialog_data") or {}
    key = StorageKey(
        bot_id=user.bot.id, chat_id=user.chat.id, user_id=user.user.id, destiny="default"
    )
    return await storage.get_state(key), await storage.get_data(key)


async def dialog_of(user: ChatUser) -> tuple[str | None, dict[str, Any]]:
    """The state and data of the chat's current dialog-engine window, or (None, {})."""
    storage = user.dp.storage

    def key(destiny: str) -> StorageKey:
        # aiogram-dialog keys a private chat's stack and contexts by the chat alone.
        return StorageKey(
            bot_id=user.bot.id, chat_id=user.chat.id, user_id=user.chat.id, destiny=destiny
        )

    stack = await storage.get_data(key("aiogd:stack:"))
    intents = stack.get("intents") or []
    if not intents:
        return None, {}
    context = await storage.get_data(key(f"aiogd:context:{intents[-1]}"))
    return context.get("state"), dict(context.get("dialog_data") or {})


async def dialog_stack(user: ChatUser) -> list[tuple[str, dict[str, Any], Any]]:
    """The chat's open dialogs, bottom first: (state, dialog data, start data) of each."""
    storage = user.dp.storage

    def key(destiny: str) -> StorageKey:
        return StorageKey(
            bot_id=user.bot.id, chat_id=user.chat.id, user_id=user.chat.id, destiny=destiny
        )

    stack = await storage.get_data(key("aiogd:stack:"))
    contexts = [await storage.get_data(key(f"aiogd:context:{i}")) for i in stack.get("intents", [])]
    return [(c["state"], c["dialog_data"], c["start_data"]) for c in contexts]


async def entry_of(user: ChatUser) -> tuple[str | None, dict[str, Any]]:
    """The state and data of the chat's unsaved activity entry, or (None, {})."""
    for state, data, _start in await dialog_stack(user):
        if state.startswith("ActivityForm:"):
            return state, data
    return None, {}
