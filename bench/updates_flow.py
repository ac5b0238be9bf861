"""The report flow a resident walks in ``bench/updates.py``, as raw webhook updates.

The in-process phases build aiogram objects; the ``--workers`` mode posts the same steps as
Telegram's JSON to a worker's webhook, and each step says which of the bot's calls ends its
turn, so that the resident sends the next one only once the bot answered it:

- a button press ends with the bot's ``answerCallbackQuery`` for that press (aiogram-dialog
  answers the query once the handler is done, after the edits and sends it makes);
- a text ends with the message carrying the buttons the next step presses, or, when a text
  follows, with the bot's next ``sendMessage``.

Every resident describes the same problem, so from the second report at a station and
category on, "submit" shows the look-alike card (``handlers/resident/lookalike.py``) and the
resident presses "No, mine is different: send it": one update more, counted like the others.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass
from typing import Any

DESCRIPTION = "Cars block the fire lane at gate 3 every night after 8 pm; please help."
CASE_NUMBER = re.compile(r"\b\d{4}-\d{6}\b")
UPDATES_PER_RESIDENT = 8
SKIP = "⏭ Skip"


@dataclass(frozen=True)
class Text:
    """The resident types ``text``; the turn ends at ``then``'s buttons or any message."""

    text: str
    then: str | None = None


@dataclass(frozen=True)
class Press:
    """The resident presses one of the newest buttons whose widget starts with ``prefix``."""

    prefix: str


Step = Text | Press

REPORT_STEPS: tuple[Step, ...] = (
    Text("/report", then="station:"),
    Press("station:"),
    Press("category:"),
    Text(DESCRIPTION),
    Text(SKIP),
    Text(SKIP, then="anonymous"),
    Press("anonymous"),
    Press("submit"),
)
assert len(REPORT_STEPS) == UPDATES_PER_RESIDENT
# When open cases at the station say something alike, "submit" shows them first; the
# resident answers that theirs is different, which sends the report (one update more).
DIFFERENT = Press("different")


@dataclass(frozen=True)
class Awaited:
    """The call that ends a turn: the answer to one press, buttons with a prefix, or a send."""

    callback_query_id: str | None = None
    button_prefix: str | None = None


class Updates:
    """Telegram's JSON for texts and presses of private chats; ids unique for the run."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._presses = itertools.count(1)

    def text(self, chat_id: int, text: str) -> bytes:
        """A text message from the chat's user."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
            "from": _user(chat_id),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        return json.dumps({"update_id": next(self._update_ids), "message": message}).encode()

    def press(self, chat_id: int, data: str, message_id: int, bot_id: int) -> tuple[bytes, str]:
        """A press on a button under the bot's message ``message_id``, and the query's id.

        The id starts with the chat, so that the fake's report of its answer names the chat.
        """
        query_id = f"{chat_id}:{next(self._presses)}"
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
            "from": {"id": bot_id, "is_bot": True, "first_name": "Liaison"},
            "text": "…",
        }
        update = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": query_id,
                "from": _user(chat_id),
                "chat_instance": f"ci-{chat_id}",
                "message": message,
                "data": data,
            },
        }
        return json.dumps(update).encode(), query_id


def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Resident", "language_code": "en"}


def chat_of_query(query_id: str) -> int | None:
    """The chat a press's query id was made for (see ``Updates.press``)."""
    head = query_id.split(":", 1)[0]
    return int(head) if head.lstrip("-").isdigit() else None
