"""Who is connected: the open pages of each web chat, and where callback queries came from.

Only chats with an open page are held here; their history lives in the database
(:mod:`bot.channels.webchat.store`), so memory does not grow with the chats the bot has seen.

Of several workers, a page is open on one of them while any may render for its chat: every
push goes over the bus (:mod:`bot.bus`) and each worker hands it to the pages open on it.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any

from aiohttp import web

from bot.bus import Bus, LocalBus

log = logging.getLogger(__name__)

MAX_CALLBACKS = 50_000
TOPIC = "webchat"


class WebChatHub:
    """Routes rendered Bot API calls to the open pages of a chat."""

    def __init__(self, bus: Bus | None = None) -> None:
        self.bus = bus or LocalBus()
        self.bus.subscribe(TOPIC, self._on_published)
        self._sockets: dict[int, set[web.WebSocketResponse]] = {}
        self._callbacks: OrderedDict[str, int] = OrderedDict()

    def remember_callback(self, callback_id: str, chat_id: int) -> None:
        """Note which chat a callback query came from, for answerCallbackQuery."""
        self._callbacks[callback_id] = chat_id
        while len(self._callbacks) > MAX_CALLBACKS:
            self._callbacks.popitem(last=False)

    def chat_of_callback(self, callback_id: str) -> int | None:
        """The chat a callback query came from, if it is still known."""
        return self._callbacks.get(callback_id)

    def attach(self, chat_id: int, socket: web.WebSocketResponse) -> None:
        """Register an open page."""
        self._sockets.setdefault(chat_id, set()).add(socket)

    def detach(self, chat_id: int, socket: web.WebSocketResponse) -> None:
        """Forget a closed page, and the chat once it has none."""
        sockets = self._sockets.get(chat_id)
        if sockets is None:
            return
        sockets.discard(socket)
        if not sockets:
            del self._sockets[chat_id]

    def all_sockets(self) -> list[web.WebSocketResponse]:
        """Every open page, of every chat."""
        return [socket for sockets in self._sockets.values() for socket in sockets]

    def open_chats(self) -> list[int]:
        """The chats with a page open on this worker."""
        return list(self._sockets)

    def connected(self, chat_id: int) -> bool:
        """Whether a page of this chat is open."""
        return bool(self._sockets.get(chat_id))

    def chats(self) -> int:
        """How many chats have an open page."""
        return len(self._sockets)

    async def clear(self, chat_id: int) -> None:
        """Forget a chat's pending callbacks; its open pages are redrawn empty."""
        for callback_id in [key for key, owner in self._callbacks.items() if owner == chat_id]:
            del self._callbacks[callback_id]
        await self.push(chat_id, {"type": "history", "events": []})

    async def push(self, chat_id: int, event: dict[str, Any]) -> None:
        """Send an event to every open page of the chat, on whichever worker it is open."""
        await self.bus.publish(TOPIC, {"chat": chat_id, "event": event})

    async def _on_published(self, payload: dict[str, Any]) -> None:
        await self.deliver(int(payload["chat"]), payload["event"])

    async def deliver(self, chat_id: int, event: dict[str, Any]) -> None:
        """Send an event to the chat's pages open on this worker."""
        sockets = self._sockets.get(chat_id)
        if not sockets:
            return
        payload = json.dumps(event, ensure_ascii=False)
        for socket in list(sockets):
            if socket.closed:
                self.detach(chat_id, socket)
                continue
            try:
                await socket.send_str(payload)
            except ConnectionError as error:
                log.debug("web chat %s: socket gone: %s", chat_id, error)
                self.detach(chat_id, socket)
