"""Raw Telegram updates as a webhook or getUpdates carries them, for tests that talk HTTP."""

from __future__ import annotations

from typing import Any


def command_json(update_id: int, chat_id: int, command: str = "/help") -> dict[str, Any]:
    """A private chat's resident sending a bot command, as Telegram's JSON."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Resident", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "from": user,
            "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
            "date": 1_795_000_000,
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }
