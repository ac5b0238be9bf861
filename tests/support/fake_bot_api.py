"""A fake Telegram Bot API server for end-to-end tests and delivery benchmarks.

``FakeBotAPI`` is an aiohttp server on 127.0.0.1 that speaks enough of the Bot API for the
real aiogram client to run a bot against it, in long-polling or in webhook mode::

    async with FakeBotAPI() as fake:
        api = TelegramAPIServer.from_base(fake.base_url)
        bot = Bot("123456:token", session=AiohttpSession(api=api))
        fake.user_message(1001, "/start")
        ...
        await fake.wait_for_messages(1001)

It answers with Telegram's JSON shapes and error descriptions, records every call
(``calls``, ``calls_of``, ``sent_to``, ``stats``), simulates users (``user_message``,
``user_callback``, ``push_update``), pushes updates to a webhook like Telegram does, and
injects faults (``fail_next``, ``fail_every``, ``fail_randomly``, ``block_chat``, ``rate_limit``,
``per_chat_limit``).

It models one bot: the update queue, the webhook and the message ids are shared by every
token; only the identity in getMe and in ``from`` follows the token. Not modelled on purpose:
Markdown parse modes (the text is kept as sent), ``allowed_updates`` filtering, media groups,
inline mode, and any method not listed in ``METHODS`` (those answer 404 like Telegram).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import json
import logging
import mimetypes
import random
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal, Self

import aiohttp
from aiohttp import web

__all__ = [
    "CHAT_METHODS",
    "METHODS",
    "RATE_LIMITED_METHODS",
    "SECRET_HEADER",
    "ApiError",
    "CallRecord",
    "FakeBotAPI",
    "UploadedFile",
    "WebhookConfig",
    "WebhookDelivery",
]

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_UPLOAD_SIZE = 50 * 1024 * 1024

METHODS = (
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendLocation",
    "editMessageText",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "sendChatAction",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "getFile",
)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Telegram matches method names case-insensitively; records use the canonical spelling.
_CANONICAL = {name.lower(): name for name in METHODS}
_KNOWN_METHODS = frozenset(METHODS)

# Methods that act on a chat: block_chat answers 403 to all of them.
CHAT_METHODS = _names(
    "sendMessage sendPhoto sendDocument sendLocation editMessageText "
    "editMessageReplyMarkup deleteMessage sendChatAction"
)
# Methods that count against rate_limit / per_chat_limit: the ones Telegram's flood control
# counts as messages. Polling and bookkeeping calls must not starve a benchmark's sends.
RATE_LIMITED_METHODS = _names(
    "sendMessage sendPhoto sendDocument sendLocation editMessageText editMessageReplyMarkup"
)

# Form fields always arrive as strings; Telegram decides per parameter whether one is JSON.
# These stay strings even when they look like numbers ("123" as a message text).
_STRING_PARAMS = _names(
    "text caption parse_mode url secret_token callback_query_id inline_message_id "
    "action data title address description name emoji query language_code ip_address "
    "business_connection_id message_effect_id file_id photo document audio video "
    "voice video_note animation sticker thumbnail"
)
_CHAT_ACTIONS = _names(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)
_HTML_TAGS = _names(
    "b strong i em u ins s strike del span tg-spoiler a tg-emoji tg-time code pre blockquote"
)
_TOKEN_RE = re.compile(r"(\d+):[A-Za-z0-9_-]+")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_INT_RE = re.compile(r"-?\d+")

_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: _POLL_CONFLICT,
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """An error answer, serialised as Telegram does: ``{"ok": false, "error_code", ...}``."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        """The JSON body of the error answer."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def _too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass(slots=True)
class CallRecord:
    """One Bot API call as the fake saw it.

    ``params`` holds JSON-decoded values (``chat_id`` an int, ``reply_markup`` a dict, ``text``
    always a str); ``files`` maps the parameter that referenced an upload (``photo``) to it.
    ``timestamp`` is ``time.monotonic()`` at arrival; records are appended when answered.
    """

    method: str
    token: str
    params: JSONDict
    timestamp: float
    files: dict[str, UploadedFile] = field(default_factory=dict)
    content_type: str = ""
    source: Literal["http", "webhook-reply"] = "http"
    status: int = 0
    response: JSONDict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.status == HTTPStatus.OK

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (None otherwise)."""
        return self.response.get("result")

    @property
    def chat_id(self) -> int | str | None:
        """The call's ``chat_id`` parameter, normalised to an int when it is numeric."""
        value = self.params.get("chat_id")
        number = _as_int(value)
        return number if number is not None else value


@dataclass(slots=True)
class WebhookConfig:
    """The webhook set by setWebhook, plus the delivery errors getWebhookInfo reports."""

    url: str
    secret_token: str | None
    token: str
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None

    def info(self, pending_update_count: int) -> JSONDict:
        """The WebhookInfo object."""
        info: JSONDict = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending_update_count,
            "max_connections": self.max_connections,
            "ip_address": "127.0.0.1",
        }
        if self.allowed_updates is not None:
            info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One POST of an update to a webhook (status 0 when the connection failed)."""

    update_id: int | None
    url: str
    status: int
    attempt: int
    timestamp: float
    error: str | None = None


@dataclass(slots=True)
class _StoredFile:
    file_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def unique_id(self) -> str:
        return f"U{self.file_id}"


@dataclass(slots=True)
class _Fault:
    method: str  # canonical name, or "*" for any method
    error: ApiError
    remaining: int
    chat_id: int | str | None

    def matches(self, record: CallRecord) -> bool:
        if self.method not in ("*", record.method):
            return False
        return self.chat_id is None or record.chat_id == self.chat_id


@dataclass(slots=True)
class _RecurringFault:
    """Fails every ``every``-th matching call, or each one with ``probability`` (seeded)."""

    method: str
    error: ApiError
    every: int | None
    probability: float
    rng: random.Random
    seen: int = 0

    def strikes(self, record: CallRecord) -> bool:
        if self.method not in ("*", record.method):
            return False
        self.seen += 1
        if self.every is not None:
            return self.seen % self.every == 0
        return self.rng.random() < self.probability


class _TokenBucket:
    """Refills ``rate`` tokens a second up to a burst of about one second's worth."""

    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def ready(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens >= 1.0

    def take(self) -> None:
        self.tokens -= 1.0


class _Signal:
    """Wakes every waiter on ``notify()``; a lock-free Condition usable from sync code."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait(self, timeout: float | None) -> None:
        """Wait for the next notify, or return silently after ``timeout`` seconds."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await waiter
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)


class _Configured(enum.Enum):
    SECRET = enum.auto()


class _TelegramHTML(HTMLParser):
    """Telegram's HTML parse mode: the supported tags, balanced, or Telegram's parse errors."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._source = source
        self._parts: list[str] = []
        self._open: list[str] = []

    def parse(self) -> str:
        self.feed(self._source)
        self.close()
        if self._open:
            raise _entities_error(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1]}"'
            )
        return "".join(self._parts)

    def _offset(self) -> int:
        line, column = self.getpos()
        lines = self._source.split("\n")
        index = sum(len(text) + 1 for text in lines[: line - 1]) + column
        return len(self._source[:index].encode())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise _entities_error(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Telegram has no void tags: "<br/>" is as unsupported as "<br>".
        raise _entities_error(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self._open:
            raise _entities_error(f"Unexpected end tag at byte offset {self._offset()}")
        expected = self._open.pop()
        if expected != tag:
            raise _entities_error(
                f'Unmatched end tag at byte offset {self._offset()}, expected "</{expected}>", '
                f'found "</{tag}>"'
            )

    def handle_data(self, data: str) -> None:
        self._parts.append(data)


def _entities_error(reason: str) -> ApiError:
    return _bad_request(f"can't parse entities: {reason}")


def _visible_text(text: str, parse_mode: Any) -> str:
    """The text a user sees: HTML is parsed (and validated) like Telegram; other modes kept."""
    if (
        isinstance(parse_mode, str)
        and parse_mode.lower() == "html"
        and ("<" in text or "&" in text)
    ):
        return _TelegramHTML(text).parse()
    return text


def _utf16_length(text: str) -> int:
    # Telegram measures lengths in UTF-16 code units: an emoji counts twice.
    return len(text.encode("utf-16-le")) // 2


def _decode_param(key: str, value: str) -> Any:
    """JSON-decode a form value unless the parameter is a string by definition."""
    if key in _STRING_PARAMS or not value:
        return value
    if value[0] in '{["-' or value[0].isdigit() or value in ("true", "false", "null"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_RE.fullmatch(value):
        return int(value)
    return None


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _update_summary(update: Mapping[str, Any]) -> str:
    kinds = [key for key in update if key != "update_id"]
    return f"{update.get('update_id')}:{','.join(kinds)}"


class FakeBotAPI:
    """A fake Telegram Bot API server; see the module docstring.

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
        self._bot_first_name = bot_first_name
        self._bot_username = bot_username
        self._retry_delays = tuple(webhook_retry_delays)
        self._webhook_timeout = webhook_timeout

        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._deliverer: asyncio.Task[None] | None = None
        self._port: int | None = None
        self._closing = False

        # Observability: public, read by tests and benchmarks.
        self.calls: list[CallRecord] = []
        self.stats: dict[str, Counter[Any]] = {
            "methods": Counter(),
            "statuses": Counter(),
            "method_statuses": Counter(),
        }
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.downloads: list[str] = []
        self.internal_errors: list[BaseException] = []
        self._by_method: dict[str, list[CallRecord]] = {}
        self._changed = _Signal()  # any observable change: calls, deliveries, pollers

        # Updates and polling.
        self._pending: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._updates_signal = _Signal()
        self._poll_generation = 0
        self._waiting_pollers = 0
        self._webhook: WebhookConfig | None = None

        # Chats, messages, files.
        self._bot_users: dict[str, JSONDict] = {}
        self._last_token: str | None = None
        self._chats: dict[int, JSONDict] = {}
        self._last_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._sent: dict[int, list[JSONDict]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._callback_numbers = itertools.count(1)
        self._callback_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}

        # Faults.
        self._faults: list[_Fault] = []
        self._recurring: list[_RecurringFault] = []
        self._blocked: set[int] = set()
        self._global_bucket: _TokenBucket | None = None
        self._per_chat_rate: float | None = None
        self._chat_buckets: dict[int, _TokenBucket] = {}

        self._handlers: dict[str, Callable[[CallRecord], Any]] = {
            "getMe": self._get_me,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendLocation": self._send_location,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
        }

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on a free port of 127.0.0.1 (or the port given)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self._closing = False
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
        self._client = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self._webhook_timeout)
        )
        self._deliverer = asyncio.create_task(self._webhook_loop(), name="fake-bot-api-webhook")

    async def stop(self) -> None:
        """Stop the server, end pending long polls and webhook deliveries; idempotent."""
        if self._runner is None:
            return
        self._closing = True
        self._updates_signal.notify()
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
            self._deliverer = None
        await self._runner.cleanup()
        self._runner = None
        if self._client is not None:
            await self._client.close()
            self._client = None

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
        timestamp = time.monotonic()
        raw_method = request.match_info["method"]
        record = CallRecord(
            method=_CANONICAL.get(raw_method.lower(), raw_method),
            token=request.match_info["token"],
            params={},
            timestamp=timestamp,
            content_type=request.content_type if request.body_exists else "",
        )
        try:
            record.params, record.files = await self._read_params(request)
        except ApiError as error:
            status, payload = error.status, error.payload()
        else:
            status, payload = await self._dispatch(record)
        self._finish(record, status, payload)
        return web.json_response(payload, status=status)

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        # Telegram takes parameters from the query string and from a JSON, urlencoded or
        # multipart body. aiogram's AiohttpSession sends urlencoded forms, multipart when a
        # file is attached, with every non-string value JSON-encoded.
        params: JSONDict = {key: _decode_param(key, value) for key, value in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if request.method != "POST" or not request.body_exists:
            return params, files
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _bad_request("can't parse JSON object")
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
                    params[key] = _decode_param(key, bytes(value).decode())
                else:
                    params[key] = _decode_param(key, value)
        return params, _resolve_attachments(params, files)

    async def _dispatch(self, record: CallRecord) -> tuple[int, JSONDict]:
        try:
            if _TOKEN_RE.fullmatch(record.token) is None:
                raise ApiError(401, "Unauthorized")
            if record.method not in _KNOWN_METHODS:
                raise ApiError(404, "Not Found")
            self._last_token = record.token
            self._apply_faults(record)
            if record.method == "getUpdates":
                result = await self._get_updates(record)
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
        if _TOKEN_RE.fullmatch(request.match_info["token"]) is None:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        self.downloads.append(stored.file_path)
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    # --- faults ---------------------------------------------------------------------------

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
        """Make the next ``count`` calls of ``method`` (``"*"``: any) fail with ``status``.

        With ``chat_id`` only calls for that chat fail. 429 carries
        ``parameters.retry_after``; descriptions default to Telegram's wording
        (403: "Forbidden: bot was blocked by the user"). Faults apply before validation.
        """
        if status < 400:
            raise ValueError("an injected failure needs an error status (>= 400)")
        if count < 1:
            raise ValueError("count must be at least 1")
        if status == 429:
            error = _too_many_requests(retry_after)
            if description is not None:
                error = ApiError(429, description, {"retry_after": retry_after})
        else:
            default = _DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
            error = ApiError(status, description or default)
        name = "*" if method == "*" else _CANONICAL.get(method.lower(), method)
        chat = _as_int(chat_id)
        self._faults.append(_Fault(name, error, count, chat if chat is not None else chat_id))

    def fail_every(
        self, method: str, every: int, *, status: int = 500, retry_after: int = 1
    ) -> None:
        """Fail every ``every``-th call of ``method`` (``"*"``: any) with ``status``, for good.

        Calls are counted per rule, failed ones included; a 429 carries ``retry_after``.
        Several rules may run at once (a 429 every 7th send, a 500 every 11th); a call two
        rules pick fails with the first one added.
        """
        if every < 1:
            raise ValueError("every must be at least 1")
        self._add_recurring(method, status, retry_after, every=every)

    def fail_randomly(
        self,
        method: str,
        probability: float,
        *,
        status: int = 500,
        retry_after: int = 1,
        seed: int = 0,
    ) -> None:
        """Fail each call of ``method`` with ``probability``, drawn from a generator seeded
        with ``seed``, so that a run's failures can be replayed."""
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        self._add_recurring(method, status, retry_after, probability=probability, seed=seed)

    def _add_recurring(
        self,
        method: str,
        status: int,
        retry_after: int,
        *,
        every: int | None = None,
        probability: float = 0.0,
        seed: int = 0,
    ) -> None:
        if status < 400:
            raise ValueError("an injected failure needs an error status (>= 400)")
        if status == 429:
            error = _too_many_requests(retry_after)
        else:
            default = _DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
            error = ApiError(status, default)
        name = "*" if method == "*" else _CANONICAL.get(method.lower(), method)
        self._recurring.append(
            _RecurringFault(name, error, every, probability, random.Random(seed))
        )

    def block_chat(self, chat_id: int) -> None:
        """Answer 403 to every call acting on this chat, like a user who blocked the bot."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo ``block_chat``."""
        self._blocked.discard(chat_id)

    def rate_limit(self, per_second: float | None) -> None:
        """Cap sends globally (token bucket, burst of one second); None or 0 lifts the cap.

        A send over the cap answers 429 with ``retry_after=1``.
        """
        self._global_bucket = _TokenBucket(per_second) if per_second else None

    def per_chat_limit(self, per_second: float | None) -> None:
        """Cap sends per chat like ``rate_limit`` does globally; None or 0 lifts the cap."""
        self._per_chat_rate = per_second or None
        self._chat_buckets.clear()

    def reset_faults(self) -> None:
        """Drop pending and recurring faults, blocked chats and rate limits."""
        self._faults.clear()
        self._recurring.clear()
        self._blocked.clear()
        self._global_bucket = None
        self._per_chat_rate = None
        self._chat_buckets.clear()

    def _apply_faults(self, record: CallRecord) -> None:
        for fault in self._faults:
            if fault.matches(record):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                raise fault.error
        # Every rule counts every call it matches, so one rule's cadence ignores the others.
        struck = [rule.error for rule in self._recurring if rule.strikes(record)]
        if struck:
            raise struck[0]

    def _gate(self, record: CallRecord, chat: int) -> None:
        """Blocked chats and rate limits; called once a call is valid, before it acts."""
        if chat in self._blocked:
            if chat > 0:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        if record.method not in RATE_LIMITED_METHODS:
            return
        buckets = [self._global_bucket]
        if self._per_chat_rate is not None:
            bucket = self._chat_buckets.get(chat)
            if bucket is None:
                bucket = self._chat_buckets[chat] = _TokenBucket(self._per_chat_rate)
            buckets.append(bucket)
        now = time.monotonic()
        active = [bucket for bucket in buckets if bucket is not None]
        # Check every bucket before taking from any, so a refusal costs no tokens.
        if not all([bucket.ready(now) for bucket in active]):
            raise _too_many_requests(1)
        for bucket in active:
            bucket.take()

    # --- simulating users -----------------------------------------------------------------

    def push_update(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue an update for getUpdates or the webhook; returns it with its ``update_id``.

        A missing ``update_id`` is assigned (increasing). Chats, messages, callback query ids
        and file ids found in the update become known to the fake.
        """
        queued = dict(update)
        if "update_id" not in queued:
            queued["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(queued["update_id"]) + 1)
        self._learn(queued)
        self._pending.append(queued)
        self._updates_signal.notify()
        self._changed.notify()
        return queued

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
        """Push a message from a user; returns the update.

        ``text`` starting with "/" gets a bot_command entity; ``extra`` is merged into the
        message (``photo=[...]``, ``caption=...``, ``contact=...``). In a private chat
        (positive ``chat_id``) the user is the chat; groups need ``user_id``.
        """
        user = self._user(chat_id, user_id, first_name, language_code)
        message: JSONDict = {
            "message_id": self._allocate_message_id(chat_id),
            "from": user,
            "chat": self._user_chat(chat_id, user),
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": _utf16_length(command)}
                ]
        message.update(extra)
        return self.push_update({"message": message})

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
        """Push a press on an inline button of the bot's message ``message_id``.

        The callback carries the message as the fake knows it (edits applied); an unknown
        message is made up and remembered, so the bot can edit it.
        """
        user = self._user(chat_id, user_id, first_name, language_code)
        message = self._messages.get((chat_id, message_id))
        if message is None:
            message = {
                "message_id": message_id,
                "from": self._bot_user(self._last_token),
                "chat": self._chat_object(chat_id),
                "date": int(time.time()),
            }
            self._messages[chat_id, message_id] = message
            self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), message_id)
        callback: JSONDict = {
            "id": str(next(self._callback_numbers)),
            "from": user,
            "message": message,
            "chat_instance": f"ci{abs(chat_id)}",
            "data": data,
        }
        return self.push_update({"callback_query": callback})

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> str:
        """Register a file for getFile and download; returns its ``file_path``."""
        number = next(self._file_numbers)
        path = file_path or f"documents/file_{number}"
        name = path.rsplit("/", 1)[-1]
        stored = _StoredFile(file_id, path, content, name, mimetypes.guess_type(name)[0])
        self._register_file(stored)
        return path

    def _register_file(self, stored: _StoredFile) -> None:
        previous = self._files.get(stored.file_id)
        if previous is not None:
            self._files_by_path.pop(previous.file_path, None)
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored

    def _user(
        self, chat_id: int, user_id: int | None, first_name: str, language_code: str | None
    ) -> JSONDict:
        if user_id is None:
            if chat_id <= 0:
                raise ValueError("a group chat needs an explicit user_id")
            user_id = chat_id
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def _user_chat(self, chat_id: int, user: JSONDict) -> JSONDict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        return self._chat_object(chat_id)

    def _learn(self, update: JSONDict) -> None:
        for key in ("message", "edited_message", "channel_post", "business_message"):
            message = update.get(key)
            if isinstance(message, dict):
                self._learn_message(message)
        callback = update.get("callback_query")
        if isinstance(callback, dict) and "id" in callback:
            self._callback_queries.add(str(callback["id"]))
        self._learn_file_ids(update)

    def _learn_message(self, message: JSONDict) -> None:
        chat = message.get("chat")
        if not isinstance(chat, dict):
            return
        chat_id = _as_int(chat.get("id"))
        if chat_id is None:
            return
        self._chats[chat_id] = chat
        message_id = _as_int(message.get("message_id"))
        if message_id is not None:
            self._messages[chat_id, message_id] = message
            self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), message_id)

    def _learn_file_ids(self, update: JSONDict) -> None:
        # A file a user sent can be re-sent or fetched by its file_id, as on Telegram; its
        # bytes are empty unless the test registered them with add_file.
        stack: list[Any] = [update]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                file_id = item.get("file_id")
                if isinstance(file_id, str) and file_id not in self._files:
                    path = f"learned/file_{next(self._file_numbers)}"
                    self._register_file(_StoredFile(file_id, path, b""))
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)

    # --- recording and waiting ------------------------------------------------------------

    def calls_of(self, method: str) -> list[CallRecord]:
        """Every recorded call of ``method`` (any spelling), in order."""
        return list(self._by_method.get(_CANONICAL.get(method.lower(), method), ()))

    def sent_to(self, chat_id: int) -> list[JSONDict]:
        """The messages sent to a chat, as they were returned to the bot, in order."""
        return list(self._sent.get(chat_id, ()))

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A message as it is now (edits applied), None when deleted or never known."""
        return self._messages.get((chat_id, message_id))

    def commands_for(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """The commands set by setMyCommands for a scope (default scope when None)."""
        return self._commands.get((_scope_key(scope), language_code))

    def clear_calls(self) -> None:
        """Forget recorded calls, stats, webhook deliveries and ``sent_to`` history.

        The fake's state (messages for editing, files, updates, faults) is kept.
        """
        self.calls.clear()
        self._by_method.clear()
        for counter in self.stats.values():
            counter.clear()
        self.webhook_deliveries.clear()
        self.downloads.clear()
        self._sent.clear()

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed (getUpdates offset) or delivered (webhook)."""
        return list(self._pending)

    @property
    def webhook(self) -> WebhookConfig | None:
        """The webhook currently set, if any."""
        return self._webhook

    @property
    def waiting_pollers(self) -> int:
        """How many getUpdates long polls are waiting right now."""
        return self._waiting_pollers

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
        name = _CANONICAL.get(method.lower(), method)

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
            lambda: len(self._sent.get(chat_id, ())) >= count,
            timeout,
            what=f"{count} message(s) to chat {chat_id}",
        )
        return self.sent_to(chat_id)

    # --- getUpdates and webhooks ----------------------------------------------------------

    async def _get_updates(self, record: CallRecord) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(409, _WEBHOOK_CONFLICT)
        params = record.params
        offset = _as_int(params.get("offset"))
        limit = min(100, max(1, _as_int(params.get("limit")) or 100))
        timeout = max(0.0, _as_float(params.get("timeout")) or 0.0)
        if offset is not None:
            self._confirm(offset)
        # A newer getUpdates ends an older one with 409, as Telegram does when two bot
        # instances poll with one token.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._waiting_pollers += 1
        self._changed.notify()
        try:
            while not self._pending and not self._closing:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                await self._updates_signal.wait(remaining)
                if generation != self._poll_generation:
                    raise ApiError(409, _POLL_CONFLICT)
                if self._webhook is not None:
                    raise ApiError(409, _WEBHOOK_CONFLICT)
        finally:
            self._waiting_pollers -= 1
            self._changed.notify()
        return list(itertools.islice(self._pending, limit))

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            # Telegram: keep the last -offset updates, forget everything before them.
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()

    def _set_webhook(self, record: CallRecord) -> bool:
        params = record.params
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(record)
        # Telegram insists on HTTPS; a local fake must accept http://127.0.0.1.
        if not url.startswith(("http://", "https://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = str(params["secret_token"]) if params.get("secret_token") else None
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if _truthy(params.get("drop_pending_updates")):
            self._pending.clear()
        self._webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            token=record.token,
            max_connections=_as_int(params.get("max_connections")) or 40,
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )
        self._updates_signal.notify()
        return True

    def _delete_webhook(self, record: CallRecord) -> bool:
        if _truthy(record.params.get("drop_pending_updates")):
            self._pending.clear()
        self._webhook = None
        self._updates_signal.notify()
        return True

    def _get_webhook_info(self, record: CallRecord) -> JSONDict:
        if self._webhook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }
        return self._webhook.info(len(self._pending))

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
        webhook = self._webhook
        target = url or (webhook.url if webhook else None)
        if target is None:
            raise RuntimeError("deliver_raw needs a webhook (setWebhook) or an explicit url")
        if secret is _Configured.SECRET:
            secret = webhook.secret_token if webhook else None
        payload = dict(update)
        if "update_id" not in payload:
            payload["update_id"] = self._next_update_id
            self._next_update_id += 1
        self._learn(payload)
        token = webhook.token if webhook else self._last_token
        status, error = await self._post_update(target, payload, secret, token, attempt=1)
        if error is not None:
            raise aiohttp.ClientConnectionError(error)
        return status

    async def _webhook_loop(self) -> None:
        """Deliver queued updates to the webhook one at a time, in order."""
        while True:
            if self._webhook is None or not self._pending:
                await self._updates_signal.wait(None)
                continue
            update = self._pending[0]
            try:
                done = await self._deliver_with_retries(update)
            except Exception as error:  # keep delivering: one bad update must not stop the rest
                logger.exception("FakeBotAPI failed delivering %s", _update_summary(update))
                self.internal_errors.append(error)
                done = True
            # The queue may have been dropped (setWebhook drop_pending_updates) meanwhile.
            if done and self._pending and self._pending[0] is update:
                self._pending.popleft()
            self._changed.notify()

    async def _deliver_with_retries(self, update: JSONDict) -> bool:
        """True when the update is done with: delivered, or given up after the retries."""
        for attempt, delay in enumerate((0.0, *self._retry_delays), start=1):
            if delay:
                await asyncio.sleep(delay)
            webhook = self._webhook
            if webhook is None:
                return False  # deleted meanwhile: the update stays for getUpdates
            status, error = await self._post_update(
                webhook.url, update, webhook.secret_token, webhook.token, attempt=attempt
            )
            if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
                return True
            webhook.last_error_date = int(time.time())
            webhook.last_error_message = error or (
                f"Wrong response from the webhook: {status} {_phrase(status)}"
            )
        logger.warning(
            "FakeBotAPI dropped update %s after failed deliveries", _update_summary(update)
        )
        return True

    async def _post_update(
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
                        reply = await _read_webhook_reply(answer)
                    except ValueError:
                        reply = None  # not a method call: Telegram ignores the body
                else:
                    await answer.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        self.webhook_deliveries.append(
            WebhookDelivery(update.get("update_id"), url, status, attempt, time.monotonic(), error)
        )
        self._changed.notify()
        if reply is not None and token is not None:
            await self._execute_webhook_reply(token, *reply)
        return status, error

    async def _execute_webhook_reply(
        self, token: str, method: str, params: JSONDict, files: dict[str, UploadedFile]
    ) -> None:
        # A webhook may answer with a method call (aiogram's handle_in_background=False);
        # Telegram executes it and discards the result.
        record = CallRecord(
            method=_CANONICAL.get(method.lower(), method),
            token=token,
            params=params,
            timestamp=time.monotonic(),
            files=_resolve_attachments(params, files),
            source="webhook-reply",
        )
        status, payload = await self._dispatch(record)
        self._finish(record, status, payload)

    # --- Bot API methods ------------------------------------------------------------------

    def _bot_user(self, token: str | None) -> JSONDict:
        key = token or ""
        user = self._bot_users.get(key)
        if user is None:
            match = _TOKEN_RE.fullmatch(key)
            user = {
                "id": int(match.group(1)) if match else 1,
                "is_bot": True,
                "first_name": self._bot_first_name,
                "username": self._bot_username,
            }
            self._bot_users[key] = user
        return user

    def _get_me(self, record: CallRecord) -> JSONDict:
        return dict(self._bot_user(record.token))

    def _send_message(self, record: CallRecord) -> JSONDict:
        chat = self._chat_param(record)
        text = self._text_param(record)
        markup = self._markup_param(record)
        self._gate(record, chat)
        return self._new_message(record, chat, {"text": text}, markup)

    def _send_photo(self, record: CallRecord) -> JSONDict:
        chat = self._chat_param(record)
        source = self._media_param(record, "photo")
        caption = self._caption_param(record)
        markup = self._markup_param(record)
        self._gate(record, chat)
        stored = self._materialize(source, "photos", ".jpg")
        sizes = []
        for suffix, side in (("-s", 90), ("-m", 320), ("", 1280)):
            size = stored
            if suffix:
                size = _StoredFile(
                    stored.file_id + suffix, stored.file_path + suffix, stored.content
                )
                self._register_file(size)
            sizes.append(
                {
                    "file_id": size.file_id,
                    "file_unique_id": size.unique_id,
                    "width": side,
                    "height": side,
                    "file_size": len(size.content),
                }
            )
        return self._new_message(record, chat, {"photo": sizes, **caption}, markup)

    def _send_document(self, record: CallRecord) -> JSONDict:
        chat = self._chat_param(record)
        source = self._media_param(record, "document")
        caption = self._caption_param(record)
        markup = self._markup_param(record)
        self._gate(record, chat)
        stored = self._materialize(source, "documents", "")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": stored.file_name or stored.file_path.rsplit("/", 1)[-1],
            "mime_type": stored.mime_type or "application/octet-stream",
            "file_size": len(stored.content),
        }
        return self._new_message(record, chat, {"document": document, **caption}, markup)

    def _send_location(self, record: CallRecord) -> JSONDict:
        chat = self._chat_param(record)
        latitude = _as_float(record.params.get("latitude"))
        longitude = _as_float(record.params.get("longitude"))
        if latitude is None or not -90 <= latitude <= 90:
            raise _bad_request("wrong latitude specified")
        if longitude is None or not -180 <= longitude <= 180:
            raise _bad_request("wrong longitude specified")
        markup = self._markup_param(record)
        self._gate(record, chat)
        location = {"latitude": latitude, "longitude": longitude}
        return self._new_message(record, chat, {"location": location}, markup)

    def _edit_message_text(self, record: CallRecord) -> JSONDict | bool:
        text = self._text_param(record)
        markup = self._markup_param(record)
        if record.params.get("inline_message_id"):
            return True  # inline messages are not tracked; Telegram answers True for them
        chat, old = self._editable_message(record)
        if "text" not in old:
            raise _bad_request("there is no text in the message to edit")
        # Without reply_markup an edit removes the inline keyboard, as on Telegram.
        if old["text"] == text and old.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        self._gate(record, chat)
        return self._replace_message(chat, old, {"text": text}, markup)

    def _edit_message_reply_markup(self, record: CallRecord) -> JSONDict | bool:
        markup = self._markup_param(record)
        if record.params.get("inline_message_id"):
            return True
        chat, old = self._editable_message(record)
        if old.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        self._gate(record, chat)
        return self._replace_message(chat, old, {}, markup)

    def _delete_message(self, record: CallRecord) -> bool:
        chat = self._chat_param(record)
        message_id = self._message_id_param(record)
        if (chat, message_id) not in self._messages:
            raise _bad_request("message to delete not found")
        self._gate(record, chat)
        del self._messages[chat, message_id]
        return True

    def _answer_callback_query(self, record: CallRecord) -> bool:
        query_id = record.params.get("callback_query_id")
        if not query_id or str(query_id) not in self._callback_queries:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if _utf16_length(str(record.params.get("text") or "")) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        return True

    def _send_chat_action(self, record: CallRecord) -> bool:
        chat = self._chat_param(record)
        if record.params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self._gate(record, chat)
        return True

    def _set_my_commands(self, record: CallRecord) -> bool:
        commands = record.params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not str(command.get("description", "")).strip():
                raise _bad_request("command description is empty")
        key = (
            _scope_key(record.params.get("scope")),
            str(record.params.get("language_code") or ""),
        )
        self._commands[key] = commands
        return True

    def _get_my_commands(self, record: CallRecord) -> list[JSONDict]:
        key = (
            _scope_key(record.params.get("scope")),
            str(record.params.get("language_code") or ""),
        )
        return self._commands.get(key, [])

    def _delete_my_commands(self, record: CallRecord) -> bool:
        key = (
            _scope_key(record.params.get("scope")),
            str(record.params.get("language_code") or ""),
        )
        self._commands.pop(key, None)
        return True

    def _get_file(self, record: CallRecord) -> JSONDict:
        stored = self._files.get(str(record.params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_SIZE:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    # --- parameters and messages ----------------------------------------------------------

    def _chat_param(self, record: CallRecord) -> int:
        value = record.params.get("chat_id")
        if value is None or value == "":
            raise _bad_request("chat_id is empty")
        chat = _as_int(value)
        if not chat:  # "@username", garbage or 0: no such chat for this fake
            raise _bad_request("chat not found")
        return chat

    def _message_id_param(self, record: CallRecord) -> int:
        message_id = _as_int(record.params.get("message_id"))
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        return message_id

    def _text_param(self, record: CallRecord) -> str:
        raw = record.params.get("text")
        text = _visible_text("" if raw is None else str(raw), record.params.get("parse_mode"))
        if not text.strip():
            raise _bad_request("message text is empty")
        if _utf16_length(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return text

    def _caption_param(self, record: CallRecord) -> JSONDict:
        raw = record.params.get("caption")
        if raw is None:
            return {}
        caption = _visible_text(str(raw), record.params.get("parse_mode"))
        if _utf16_length(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return {"caption": caption} if caption else {}

    def _markup_param(self, record: CallRecord) -> JSONDict | None:
        markup = record.params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        keyboard = markup.get("inline_keyboard")
        if keyboard is None:
            # Reply keyboards and keyboard removal are not part of the sent Message.
            return None
        if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
            raise _bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        return markup

    def _media_param(self, record: CallRecord, name: str) -> UploadedFile | _StoredFile | str:
        upload = record.files.get(name)
        if upload is not None:
            return upload
        value = record.params.get(name)
        if not value:
            raise _bad_request(f"there is no {name} in the request")
        value = str(value)
        stored = self._files.get(value)
        if stored is not None:
            return stored
        if value.startswith(("http://", "https://")):
            return value
        raise _bad_request("wrong file identifier/HTTP URL specified")

    def _materialize(
        self, source: UploadedFile | _StoredFile | str, folder: str, extension: str
    ) -> _StoredFile:
        """The stored file a send refers to: an upload or a URL becomes a new file."""
        if isinstance(source, _StoredFile):
            return source
        number = next(self._file_numbers)
        if isinstance(source, UploadedFile):
            name = source.filename or f"file_{number}{extension}"
            guessed = mimetypes.guess_type(name)[0]
            mime = guessed or source.content_type or "application/octet-stream"
            content = source.data
        else:
            name, mime, content = source.rsplit("/", 1)[-1], None, b""
        stored = _StoredFile(
            f"fake-{folder}-{number}", f"{folder}/file_{number}{extension}", content, name, mime
        )
        self._register_file(stored)
        return stored

    def _editable_message(self, record: CallRecord) -> tuple[int, JSONDict]:
        chat = self._chat_param(record)
        old = self._messages.get((chat, self._message_id_param(record)))
        if old is None:
            raise _bad_request("message to edit not found")
        if old.get("from", {}).get("id") != self._bot_user(record.token)["id"]:
            raise _bad_request("message can't be edited")
        return chat, old

    def _allocate_message_id(self, chat: int) -> int:
        message_id = self._last_message_id.get(chat, 0) + 1
        self._last_message_id[chat] = message_id
        return message_id

    def _chat_object(self, chat: int) -> JSONDict:
        known = self._chats.get(chat)
        if known is not None:
            return known
        if chat > 0:
            return {"id": chat, "type": "private"}
        if chat <= -1_000_000_000_000:
            return {"id": chat, "type": "supergroup", "title": "Test supergroup"}
        return {"id": chat, "type": "group", "title": "Test group"}

    def _new_message(
        self, record: CallRecord, chat: int, content: JSONDict, markup: JSONDict | None
    ) -> JSONDict:
        message: JSONDict = {
            "message_id": self._allocate_message_id(chat),
            "from": self._bot_user(record.token),
            "chat": self._chat_object(chat),
            "date": int(time.time()),
            **content,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[chat, message["message_id"]] = message
        self._sent.setdefault(chat, []).append(message)
        return message

    def _replace_message(
        self, chat: int, old: JSONDict, content: JSONDict, markup: JSONDict | None
    ) -> JSONDict:
        # A new dict, so what sent_to() returns keeps the message as it was sent.
        message = {key: value for key, value in old.items() if key != "reply_markup"}
        message.update(content)
        message["edit_date"] = int(time.time())
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[chat, message["message_id"]] = message
        return message


def _resolve_attachments(
    params: JSONDict, files: dict[str, UploadedFile]
) -> dict[str, UploadedFile]:
    """Key uploads by the parameter that references them ("photo": "attach://x")."""
    resolved: dict[str, UploadedFile] = {}
    used: set[str] = set()
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part in files:
                resolved[key] = files[part]
                used.add(part)
    for part, upload in files.items():
        if part not in used:
            resolved.setdefault(part, upload)
    return resolved


async def _read_webhook_reply(
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
            params[part.name] = _decode_param(part.name, data.decode())
    method = params.pop("method", None)
    return (method, params, files) if isinstance(method, str) else None


def _scope_key(scope: Any) -> str:
    if not scope:
        return '{"type": "default"}'
    if isinstance(scope, str):
        try:
            scope = json.loads(scope)
        except ValueError:
            return scope
    return json.dumps(scope, sort_keys=True)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
