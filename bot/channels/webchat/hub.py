"""Who is connected, and what each web chat has shown: the page redraws from this on reload."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

HISTORY_LENGTH = 200
MAX_ROOMS = 20_000
MAX_CALLBACKS = 50_000


@dataclass
class Room:
    """One web chat: its open sockets and its recent history."""

    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=HISTORY_LENGTH))
    sockets: set[web.WebSocketResponse] = field(default_factory=set)


class WebChatHub:
    """Routes rendered Bot API calls to the browsers of a chat, and keeps their history."""

    def __init__(self) -> None:
        self._rooms: OrderedDict[int, Room] = OrderedDict()
        # Seeded from the wall clock so ids stay increasing across restarts, as a page
        # that reconnects may still show messages from before.
        self._message_ids = itertools.count(int(time.time()))
        self._callbacks: OrderedDict[str, int] = OrderedDict()

    def room(self, chat_id: int) -> Room:
        """The chat's room, created on first use; idle rooms are forgotten first when full."""
        room = self._rooms.get(chat_id)
        if room is None:
            room = self._rooms[chat_id] = Room()
            self._evict()
        else:
            self._rooms.move_to_end(chat_id)
        return room

    def _evict(self) -> None:
        while len(self._rooms) > MAX_ROOMS:
            for chat_id, room in self._rooms.items():
                if not room.sockets:
                    del self._rooms[chat_id]
                    break
            else:
                return

    def next_message_id(self) -> int:
        """A message id unique across all web chats of this process."""
        return next(self._message_ids)

    def remember_callback(self, callback_id: str, chat_id: int) -> None:
        """Note which chat a callback query came from, for answerCallbackQuery."""
        self._callbacks[callback_id] = chat_id
        while len(self._callbacks) > MAX_CALLBACKS:
            self._callbacks.popitem(last=False)

    def chat_of_callback(self, callback_id: str) -> int | None:
        """The chat a callback query came from, if it is still known."""
        return self._callbacks.get(callback_id)

    def attach(self, chat_id: int, socket: web.WebSocketResponse) -> list[dict[str, Any]]:
        """Register an open page; return the chat's history for it to draw."""
        room = self.room(chat_id)
        room.sockets.add(socket)
        return list(room.history)

    def detach(self, chat_id: int, socket: web.WebSocketResponse) -> None:
        """Forget a closed page."""
        room = self._rooms.get(chat_id)
        if room is not None:
            room.sockets.discard(socket)

    def all_sockets(self) -> list[web.WebSocketResponse]:
        """Every open page, of every chat."""
        return [socket for room in self._rooms.values() for socket in room.sockets]

    def connected(self, chat_id: int) -> bool:
        """Whether a page of this chat is open."""
        room = self._rooms.get(chat_id)
        return bool(room and room.sockets)

    def record(self, chat_id: int, event: dict[str, Any]) -> None:
        """Add a message (the bot's or the user's) to the history without sending it."""
        self.room(chat_id).history.append(event)

    def find(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message of the chat's history, by id."""
        room = self._rooms.get(chat_id)
        if room is None:
            return None
        for event in reversed(room.history):
            if event.get("message_id") == message_id and event.get("type") == "message":
                found: dict[str, Any] = event
                return found
        return None

    def forget(self, chat_id: int, message_id: int) -> bool:
        """Remove a message from the history; whether it was there."""
        room = self._rooms.get(chat_id)
        if room is None:
            return False
        for event in list(room.history):
            if event.get("message_id") == message_id and event.get("type") == "message":
                room.history.remove(event)
                return True
        return False

    def files_of(self, chat_id: int) -> set[str]:
        """The web files a chat's history shows: its uploads and what the bot sent it."""
        room = self._rooms.get(chat_id)
        return _files_in(room.history) if room is not None else set()

    def files_elsewhere(self, chat_id: int) -> set[str]:
        """The web files the histories of every other chat show."""
        return {
            file_id
            for other, room in self._rooms.items()
            if other != chat_id
            for file_id in _files_in(room.history)
        }

    async def clear(self, chat_id: int) -> None:
        """Forget a chat's history and pending callbacks; its open pages are redrawn empty."""
        room = self._rooms.get(chat_id)
        if room is not None:
            room.history.clear()
        for callback_id in [key for key, owner in self._callbacks.items() if owner == chat_id]:
            del self._callbacks[callback_id]
        await self.push(chat_id, {"type": "history", "events": []})

    async def push(self, chat_id: int, event: dict[str, Any]) -> None:
        """Send an event to every open page of the chat."""
        room = self._rooms.get(chat_id)
        if room is None or not room.sockets:
            return
        payload = json.dumps(event, ensure_ascii=False)
        for socket in list(room.sockets):
            if socket.closed:
                room.sockets.discard(socket)
                continue
            try:
                await socket.send_str(payload)
            except ConnectionError as error:
                log.debug("web chat %s: socket gone: %s", chat_id, error)
                room.sockets.discard(socket)


def _files_in(history: Iterable[dict[str, Any]]) -> set[str]:
    """The file ids behind the photo and document links of history entries."""
    found = set()
    for event in history:
        for key in ("photo", "document"):
            content = event.get(key)
            if isinstance(content, dict) and isinstance(content.get("url"), str):
                found.add(content["url"].split("?", 1)[0].rsplit("/", 1)[-1])
    return found
