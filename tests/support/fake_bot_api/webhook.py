"""Pushing updates to a webhook as Telegram does: in order, with retries, replies executed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

import aiohttp

from tests.support.fake_bot_api.protocol import SECRET_HEADER, JSONDict, decode_param, phrase
from tests.support.fake_bot_api.records import UploadedFile, WebhookDelivery
from tests.support.fake_bot_api.updates import UpdateQueue
from tests.support.fake_bot_api.waiting import Signal

logger = logging.getLogger(__name__)

# Runs a method call found in a webhook's answer: (token, method, params, files).
ReplyExecutor = Callable[[str, str, JSONDict, dict[str, UploadedFile]], Awaitable[None]]


def update_summary(update: Mapping[str, Any]) -> str:
    """``<update_id>:<kinds>``, for logs."""
    kinds = [key for key in update if key != "update_id"]
    return f"{update.get('update_id')}:{','.join(kinds)}"


class WebhookPusher:
    """Delivers the queue's updates to the webhook one at a time, while one is set."""

    def __init__(
        self,
        queue: UpdateQueue,
        changed: Signal,
        execute_reply: ReplyExecutor,
        internal_errors: list[BaseException],
        *,
        retry_delays: Sequence[float],
        timeout: float,
    ) -> None:
        self._queue = queue
        self._changed = changed
        self._execute_reply = execute_reply
        self._internal_errors = internal_errors
        self._retry_delays = tuple(retry_delays)
        self._timeout = timeout
        self._client: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self.deliveries: list[WebhookDelivery] = []

    def start(self) -> None:
        """Open the HTTP client and start delivering."""
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
        self._task = asyncio.create_task(self._loop(), name="fake-bot-api-webhook")

    async def stop(self) -> None:
        """Stop delivering and close the client; idempotent."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def deliver_raw(
        self, update: Mapping[str, Any], *, url: str, secret: str | None, token: str | None
    ) -> int:
        """POST one update now, outside the queue; see ``FakeBotAPI.deliver_raw``."""
        payload = self._queue.outside(update)
        status, error = await self._post(url, payload, secret, token, attempt=1)
        if error is not None:
            raise aiohttp.ClientConnectionError(error)
        return status

    async def _loop(self) -> None:
        queue = self._queue
        while True:
            if queue.webhook is None or not queue.pending:
                await queue.arrived.wait(None)
                continue
            update = queue.pending[0]
            try:
                done = await self._deliver_with_retries(update)
            except Exception as error:  # keep delivering: one bad update must not stop the rest
                logger.exception("FakeBotAPI failed delivering %s", update_summary(update))
                self._internal_errors.append(error)
                done = True
            # The queue may have been dropped (setWebhook drop_pending_updates) meanwhile.
            if done and queue.pending and queue.pending[0] is update:
                queue.pending.popleft()
            self._changed.notify()

    async def _deliver_with_retries(self, update: JSONDict) -> bool:
        """True when the update is done with: delivered, or given up after the retries."""
        for attempt, delay in enumerate((0.0, *self._retry_delays), start=1):
            if delay:
                # Telegram's back-off between attempts: real time, like Telegram's own.
                await asyncio.sleep(delay)
            webhook = self._queue.webhook
            if webhook is None:
                return False  # deleted meanwhile: the update stays for getUpdates
            status, error = await self._post(
                webhook.url, update, webhook.secret_token, webhook.token, attempt=attempt
            )
            if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
                return True
            webhook.last_error_date = int(time.time())
            webhook.last_error_message = error or (
                f"Wrong response from the webhook: {status} {phrase(status)}"
            )
        logger.warning(
            "FakeBotAPI dropped update %s after failed deliveries", update_summary(update)
        )
        return True

    async def _post(
        self,
        url: str,
        update: JSONDict,
        secret: str | None,
        token: str | None,
        *,
        attempt: int,
    ) -> tuple[int, str | None]:
        if self._client is None:
            raise RuntimeError("FakeBotAPI is not started")
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        status, error, reply = 0, None, None
        try:
            async with self._client.post(url, data=json.dumps(update), headers=headers) as answer:
                status = answer.status
                if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
                    try:
                        reply = await _read_reply(answer)
                    except ValueError:
                        reply = None  # not a method call: Telegram ignores the body
                else:
                    await answer.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        self.deliveries.append(
            WebhookDelivery(update.get("update_id"), url, status, attempt, time.monotonic(), error)
        )
        self._changed.notify()
        if reply is not None and token is not None:
            await self._execute_reply(token, *reply)
        return status, error


async def _read_reply(
    answer: aiohttp.ClientResponse,
) -> tuple[str, JSONDict, dict[str, UploadedFile]] | None:
    """The method call in a webhook's answer: a JSON object or a multipart form."""
    if answer.content_type == "application/json":
        body = await answer.json()
        if isinstance(body, dict) and isinstance(body.get("method"), str):
            call = dict(body)
            return call.pop("method"), call, {}
        return None
    if answer.content_type != "multipart/form-data":
        await answer.read()
        return None
    params: JSONDict = {}
    files: dict[str, UploadedFile] = {}
    reader = aiohttp.MultipartReader(answer.headers, answer.content)
    async for part in reader:
        if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
            continue
        data = bytes(await part.read())
        if part.filename:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            files[part.name] = UploadedFile(part.filename, content_type, data)
        else:
            params[part.name] = decode_param(part.name, data.decode())
    method = params.pop("method", None)
    return (method, params, files) if isinstance(method, str) else None
