"""The update queue: getUpdates long polling, and the webhook setting that excludes it."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Mapping
from typing import Any

from tests.support.fake_bot_api.chats import Chats
from tests.support.fake_bot_api.protocol import (
    POLL_CONFLICT,
    SECRET_RE,
    WEBHOOK_CONFLICT,
    ApiError,
    JSONDict,
    as_float,
    as_int,
    bad_request,
    truthy,
)
from tests.support.fake_bot_api.records import CallRecord, WebhookConfig
from tests.support.fake_bot_api.waiting import Signal


class UpdateQueue:
    """Updates waiting for the bot, handed out by getUpdates or pushed to the webhook."""

    def __init__(self, chats: Chats, changed: Signal) -> None:
        self._chats = chats
        self._changed = changed
        self.pending: deque[JSONDict] = deque()
        self.arrived = Signal()  # an update, a webhook change or the end: pollers look again
        self.webhook: WebhookConfig | None = None
        self.waiting_pollers = 0
        self.closing = False
        self._next_update_id = 1
        self._poll_generation = 0

    def push(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue an update for getUpdates or the webhook; returns it with its ``update_id``.

        A missing ``update_id`` is assigned (increasing). Chats, messages, callback query ids
        and file ids found in the update become known to the fake.
        """
        queued = dict(update)
        if "update_id" not in queued:
            queued["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(queued["update_id"]) + 1)
        self._chats.learn(queued)
        self.pending.append(queued)
        self.arrived.notify()
        self._changed.notify()
        return queued

    def outside(self, update: Mapping[str, Any]) -> JSONDict:
        """An update delivered past the queue: numbered and learnt from, not queued."""
        payload = dict(update)
        if "update_id" not in payload:
            payload["update_id"] = self._next_update_id
            self._next_update_id += 1
        self._chats.learn(payload)
        return payload

    def close(self) -> None:
        """End every long poll now."""
        self.closing = True
        self.arrived.notify()

    async def get_updates(self, record: CallRecord) -> list[JSONDict]:
        """getUpdates: confirm up to ``offset``, then wait up to ``timeout`` for updates."""
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        params = record.params
        offset = as_int(params.get("offset"))
        limit = min(100, max(1, as_int(params.get("limit")) or 100))
        timeout = max(0.0, as_float(params.get("timeout")) or 0.0)
        if offset is not None:
            self._confirm(offset)
        # A newer getUpdates ends an older one with 409, as Telegram does when two bot
        # instances poll with one token.
        self._poll_generation += 1
        generation = self._poll_generation
        self.arrived.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self.waiting_pollers += 1
        self._changed.notify()
        try:
            while not self.pending and not self.closing:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                await self.arrived.wait(remaining)
                if generation != self._poll_generation:
                    raise ApiError(409, POLL_CONFLICT)
                if self.webhook is not None:
                    raise ApiError(409, WEBHOOK_CONFLICT)
        finally:
            self.waiting_pollers -= 1
            self._changed.notify()
        return list(itertools.islice(self.pending, limit))

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            # Telegram: keep the last -offset updates, forget everything before them.
            while len(self.pending) > -offset:
                self.pending.popleft()
            return
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()

    def set_webhook(self, record: CallRecord) -> bool:
        """setWebhook; an empty URL deletes the webhook."""
        params = record.params
        url = str(params.get("url") or "")
        if not url:
            return self.delete_webhook(record)
        # Telegram insists on HTTPS; a local fake must accept http://127.0.0.1.
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = str(params["secret_token"]) if params.get("secret_token") else None
        if secret is not None and not SECRET_RE.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if truthy(params.get("drop_pending_updates")):
            self.pending.clear()
        self.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            token=record.token,
            max_connections=as_int(params.get("max_connections")) or 40,
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )
        self.arrived.notify()
        return True

    def delete_webhook(self, record: CallRecord) -> bool:
        """deleteWebhook: the queue goes back to getUpdates."""
        if truthy(record.params.get("drop_pending_updates")):
            self.pending.clear()
        self.webhook = None
        self.arrived.notify()
        return True

    def get_webhook_info(self, record: CallRecord) -> JSONDict:
        """getWebhookInfo, with the last delivery error."""
        if self.webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self.pending),
            }
        return self.webhook.info(len(self.pending))
