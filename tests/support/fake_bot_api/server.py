"""The fake's HTTP server: routes calls to the methods, records them, and lets tests wait."""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

from tests.support.fake_bot_api.chats import Chats
from tests.support.fake_bot_api.faults import FaultInjector
from tests.support.fake_bot_api.methods import BotMethods
from tests.support.fake_bot_api.protocol import (
    KNOWN_METHODS,
    MAX_UPLOAD_SIZE,
    TOKEN_RE,
    ApiError,
    JSONDict,
    bad_request,
    canonical,
    decode_param,
)
from tests.support.fake_bot_api.records import (
    CallRecord,
    UploadedFile,
    WebhookConfig,
    WebhookDelivery,
    resolve_attachments,
)
from tests.support.fake_bot_api.updates import UpdateQueue
from tests.support.fake_bot_api.users import SimulatedUsers
from tests.support.fake_bot_api.waiting import Signal
from tests.support.fake_bot_api.webhook import WebhookPusher

logger = logging.getLogger("tests.support.fake_bot_api")


class _Configured(enum.Enum):
    SECRET = enum.auto()


class FakeBotAPI:
    """A fake Telegram Bot API server; see the package docstring.

    Use as ``async with FakeBotAPI() as fake:`` or with ``await fake.start()`` and
    ``await fake.stop()``. Everything runs on the caller's event loop.

    ``port=0`` picks a free port. ``bot_first_name`` and ``bot_username`` shape getMe.
    A webhook delivery answered with a non-2xx status (or not at all) is retried after each
    of ``webhook_retry_delays`` seconds, then dropped and reported by getWebhookInfo;
    ``webhook_timeout`` bounds one delivery.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_first_name: str = "Liaison",
        bot_username: str = "liaison_test_bot",
        webhook_retry_delays: Sequence[float] = (0.05, 0.2, 0.5),
        webhook_timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        # Observability: public, read by tests and benchmarks.
        self.calls: list[CallRecord] = []
        self.stats: dict[str, Counter[Any]] = {
            "methods": Counter(),
            "statuses": Counter(),
            "method_statuses": Counter(),
        }
        self.downloads: list[str] = []
        self.internal_errors: list[BaseException] = []
        self._by_method: dict[str, list[CallRecord]] = {}
        self._changed = Signal()  # any observable change: calls, deliveries, pollers

        self.chats = Chats(bot_first_name=bot_first_name, bot_username=bot_username)
        self.faults = FaultInjector()
        self.updates = UpdateQueue(self.chats, self._changed)
        self.users = SimulatedUsers(self.chats, self.updates.push)
        self._methods = BotMethods(self.chats, self.faults)
        self._handlers: dict[str, Callable[[CallRecord], Any]] = {
            **self._methods.handlers,
            "setWebhook": self.updates.set_webhook,
            "deleteWebhook": self.updates.delete_webhook,
            "getWebhookInfo": self.updates.get_webhook_info,
        }
        self._pusher = WebhookPusher(
            self.updates,
            self._changed,
            self._execute_webhook_reply,
            self.internal_errors,
            retry_delays=webhook_retry_delays,
            timeout=webhook_timeout,
        )

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on a free port of 127.0.0.1 (or the port given)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self.updates.closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._on_api_request)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._on_file_request)
        # handler_cancellation: a client that gives up a long poll (aiogram stopping its
        # polling) ends the waiting handler instead of leaving it to time out.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._pusher.start()

    async def stop(self) -> None:
        """Stop the server, end pending long polls and webhook deliveries; idempotent."""
        if self._runner is None:
            return
        self.updates.close()
        await self._pusher.stop()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
        # A bug in the fake must not pass for a bug in the bot, nor go unnoticed.
        if exc is None and self.internal_errors:
            raise RuntimeError(
                f"FakeBotAPI failed internally {len(self.internal_errors)} time(s)"
            ) from self.internal_errors[0]

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, for ``TelegramAPIServer.from_base``."""
        return f"http://{self._host}:{self.port}"

    # --- HTTP -----------------------------------------------------------------------------

    async def _on_api_request(self, request: web.Request) -> web.Response:
        record = CallRecord(
            method=canonical(request.match_info["method"]),
            token=request.match_info["token"],
            params={},
            timestamp=time.monotonic(),
            content_type=request.content_type if request.body_exists else "",
        )
        try:
            record.params, record.files = await _read_params(request)
        except ApiError as error:
            status, payload = error.status, error.payload()
        else:
            status, payload = await self._dispatch(record)
        self._finish(record, status, payload)
        return web.json_response(payload, status=status)

    async def _dispatch(self, record: CallRecord) -> tuple[int, JSONDict]:
        try:
            if TOKEN_RE.fullmatch(record.token) is None:
                raise ApiError(401, "Unauthorized")
            if record.method not in KNOWN_METHODS:
                raise ApiError(404, "Not Found")
            self.chats.last_token = record.token
            self.faults.check(record)
            if record.method == "getUpdates":
                result = await self.updates.get_updates(record)
            else:
                result = self._handlers[record.method](record)
        except ApiError as error:
            return error.status, error.payload()
        except Exception as error:
            logger.exception("FakeBotAPI failed on %s", record.method)
            self.internal_errors.append(error)
            return 500, ApiError(500, "Internal Server Error").payload()
        return 200, {"ok": True, "result": result}

    def _finish(self, record: CallRecord, status: int, payload: JSONDict) -> None:
        record.status = status
        record.response = payload
        self.calls.append(record)
        self._by_method.setdefault(record.method, []).append(record)
        self.stats["methods"][record.method] += 1
        self.stats["statuses"][status] += 1
        self.stats["method_statuses"][record.method, status] += 1
        self._changed.notify()

    async def _on_file_request(self, request: web.Request) -> web.Response:
        if TOKEN_RE.fullmatch(request.match_info["token"]) is None:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        stored = self.chats.files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        self.downloads.append(stored.file_path)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _execute_webhook_reply(
        self, token: str, method: str, params: JSONDict, files: dict[str, UploadedFile]
    ) -> None:
        # A webhook may answer with a method call (aiogram's handle_in_background=False);
        # Telegram executes it and discards the result.
        record = CallRecord(
            method=canonical(method),
            token=token,
            params=params,
            timestamp=time.monotonic(),
            files=resolve_attachments(params, files),
            source="webhook-reply",
        )
        status, payload = await self._dispatch(record)
        self._finish(record, status, payload)

    # --- faults (see FaultInjector) -------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        count: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail; see ``FaultInjector.fail_next``."""
        self.faults.fail_next(
            method,
            status=status,
            retry_after=retry_after,
            description=description,
            count=count,
            chat_id=chat_id,
        )

    def fail_every(
        self, method: str, every: int, *, status: int = 500, retry_after: int = 1
    ) -> None:
        """Fail every ``every``-th call of ``method``; see ``FaultInjector.fail_every``."""
        self.faults.fail_every(method, every, status=status, retry_after=retry_after)

    def fail_randomly(
        self,
        method: str,
        probability: float,
        *,
        status: int = 500,
        retry_after: int = 1,
        seed: int = 0,
    ) -> None:
        """Fail calls of ``method`` at random, seeded; see ``FaultInjector.fail_randomly``."""
        self.faults.fail_randomly(
            method, probability, status=status, retry_after=retry_after, seed=seed
        )

    def block_chat(self, chat_id: int) -> None:
        """Answer 403 to every call acting on this chat, like a user who blocked the bot."""
        self.faults.block_chat(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo ``block_chat``."""
        self.faults.unblock_chat(chat_id)

    def rate_limit(self, per_second: float | None) -> None:
        """Cap sends globally (429 past the cap); None or 0 lifts the cap."""
        self.faults.rate_limit(per_second)

    def per_chat_limit(self, per_second: float | None) -> None:
        """Cap sends per chat like ``rate_limit`` does globally; None or 0 lifts the cap."""
        self.faults.per_chat_limit(per_second)

    def reset_faults(self) -> None:
        """Drop pending and recurring faults, blocked chats and rate limits."""
        self.faults.reset()

    # --- simulating users (see SimulatedUsers) --------------------------------------------

    def push_update(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue an update for getUpdates or the webhook; see ``UpdateQueue.push``."""
        return self.updates.push(update)

    def user_message(
        self,
        chat_id: int,
        text: str | None,
        *,
        user_id: int | None = None,
        first_name: str = "Tester",
        language_code: str | None = "en",
        **extra: Any,
    ) -> JSONDict:
        """Push a message from a user; see ``SimulatedUsers.message``."""
        return self.users.message(
            chat_id,
            text,
            user_id=user_id,
            first_name=first_name,
            language_code=language_code,
            **extra,
        )

    def user_callback(
        self,
        chat_id: int,
        data: str,
        message_id: int,
        *,
        user_id: int | None = None,
        first_name: str = "Tester",
        language_code: str | None = "en",
    ) -> JSONDict:
        """Push a press on an inline button; see ``SimulatedUsers.callback``."""
        return self.users.callback(
            chat_id,
            data,
            message_id,
            user_id=user_id,
            first_name=first_name,
            language_code=language_code,
        )

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> str:
        """Register a file for getFile and download; returns its ``file_path``."""
        return self.chats.add_file(file_id, content, file_path)

    # --- webhooks -------------------------------------------------------------------------

    @property
    def webhook(self) -> WebhookConfig | None:
        """The webhook currently set, if any."""
        return self.updates.webhook

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every POST of an update to a webhook, in order."""
        return self._pusher.deliveries

    async def deliver_raw(
        self,
        update: Mapping[str, Any],
        *,
        secret: str | Literal[_Configured.SECRET] | None = _Configured.SECRET,
        url: str | None = None,
    ) -> int:
        """POST one update to the webhook now, outside the queue; returns the HTTP status.

        ``secret`` defaults to the webhook's secret; pass a string to send another one or
        None to send no header. ``url`` overrides the webhook's URL. A connection failure
        raises aiohttp.ClientError. A method in the answer is executed, as Telegram does.
        """
        webhook = self.updates.webhook
        target = url or (webhook.url if webhook else None)
        if target is None:
            raise RuntimeError("deliver_raw needs a webhook (setWebhook) or an explicit url")
        if secret is _Configured.SECRET:
            secret = webhook.secret_token if webhook else None
        token = webhook.token if webhook else self.chats.last_token
        return await self._pusher.deliver_raw(update, url=target, secret=secret, token=token)

    # --- recording and waiting ------------------------------------------------------------

    def calls_of(self, method: str) -> list[CallRecord]:
        """Every recorded call of ``method`` (any spelling), in order."""
        return list(self._by_method.get(canonical(method), ()))

    def sent_to(self, chat_id: int) -> list[JSONDict]:
        """The messages sent to a chat, as they were returned to the bot, in order."""
        return list(self.chats.sent.get(chat_id, ()))

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A message as it is now (edits applied), None when deleted or never known."""
        return self.chats.messages.get((chat_id, message_id))

    def commands_for(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """The commands set by setMyCommands for a scope (default scope when None)."""
        return self._methods.commands_for(scope, language_code)

    def clear_calls(self) -> None:
        """Forget recorded calls, stats, webhook deliveries and ``sent_to`` history.

        The fake's state (messages for editing, files, updates, faults) is kept.
        """
        self.calls.clear()
        self._by_method.clear()
        for counter in self.stats.values():
            counter.clear()
        self._pusher.deliveries.clear()
        self.downloads.clear()
        self.chats.sent.clear()

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed (getUpdates offset) or delivered (webhook)."""
        return list(self.updates.pending)

    @property
    def waiting_pollers(self) -> int:
        """How many getUpdates long polls are waiting right now."""
        return self.updates.waiting_pollers

    async def wait_for(
        self, predicate: Callable[[], object], timeout: float = 5.0, *, what: str = ""
    ) -> None:
        """Return once ``predicate()`` holds; re-checked on every call, update and delivery.

        Raises TimeoutError after ``timeout`` seconds, naming the last calls seen.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{call.method}->{call.status}" for call in self.calls[-8:])
                raise TimeoutError(
                    f"FakeBotAPI: {what or 'condition'} not met within {timeout}s; "
                    f"last calls: [{recent}]"
                )
            await self._changed.wait(remaining)

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = 5.0,
        chat_id: int | None = None,
    ) -> list[CallRecord]:
        """Wait until ``count`` calls of ``method`` (whatever their outcome) are recorded.

        Counts from the last ``clear_calls``; returns the matching calls.
        """
        name = canonical(method)

        def matching() -> list[CallRecord]:
            calls = self._by_method.get(name, [])
            if chat_id is None:
                return calls
            return [call for call in calls if call.chat_id == chat_id]

        await self.wait_for(lambda: len(matching()) >= count, timeout, what=f"{count} x {name}")
        return list(matching())

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, *, timeout: float = 5.0
    ) -> list[JSONDict]:
        """Wait until ``count`` messages were sent to the chat; returns ``sent_to(chat_id)``."""
        await self.wait_for(
            lambda: len(self.chats.sent.get(chat_id, ())) >= count,
            timeout,
            what=f"{count} message(s) to chat {chat_id}",
        )
        return self.sent_to(chat_id)


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
    # Telegram takes parameters from the query string and from a JSON, urlencoded or
    # multipart body. aiogram's AiohttpSession sends urlencoded forms, multipart when a
    # file is attached, with every non-string value JSON-encoded.
    params: JSONDict = {key: decode_param(key, value) for key, value in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        for key, value in form.items():
            if isinstance(value, web.FileField):
                try:
                    data = value.file.read()
                finally:
                    value.file.close()  # aiohttp spools uploads to a temporary file
                files[key] = UploadedFile(value.filename, value.content_type, data)
            elif isinstance(value, bytes | bytearray):
                params[key] = decode_param(key, bytes(value).decode())
            else:
                params[key] = decode_param(key, value)
    return params, resolve_attachments(params, files)
