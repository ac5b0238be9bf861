"""What the fake knows of the Bot API's wire format: method names, limits, errors, parameters."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

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
KNOWN_METHODS = frozenset(METHODS)

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
CHAT_ACTIONS = _names(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)
TOKEN_RE = re.compile(r"(\d+):[A-Za-z0-9_-]+")
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_INT_RE = re.compile(r"-?\d+")

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: POLL_CONFLICT,
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


def bad_request(reason: str) -> ApiError:
    """Telegram's 400 with its "Bad Request: ..." wording."""
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """Telegram's 429, with ``parameters.retry_after``."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def error_for(status: int, description: str | None = None, retry_after: int = 1) -> ApiError:
    """The error Telegram answers with ``status``, in its wording unless one is given."""
    if status < 400:
        raise ValueError("an injected failure needs an error status (>= 400)")
    if status == 429:
        if description is not None:
            return ApiError(429, description, {"retry_after": retry_after})
        return too_many_requests(retry_after)
    default = _DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
    return ApiError(status, description or default)


def canonical(method: str) -> str:
    """The method's canonical spelling ("sendmessage" -> "sendMessage"); unknown ones kept."""
    return _CANONICAL.get(method.lower(), method)


def decode_param(key: str, value: str) -> Any:
    """JSON-decode a form value unless the parameter is a string by definition."""
    if key in _STRING_PARAMS or not value:
        return value
    if value[0] in '{["-' or value[0].isdigit() or value in ("true", "false", "null"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def as_int(value: Any) -> int | None:
    """An int parameter, from an int or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_RE.fullmatch(value):
        return int(value)
    return None


def as_float(value: Any) -> float | None:
    """A float parameter, from a number or a numeric string; None otherwise."""
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


def truthy(value: Any) -> bool:
    """A boolean parameter: JSON true or the string "true"."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def scope_key(scope: Any) -> str:
    """A BotCommandScope as a dictionary key; no scope is the default one."""
    if not scope:
        return '{"type": "default"}'
    if isinstance(scope, str):
        try:
            scope = json.loads(scope)
        except ValueError:
            return str(scope)
    return json.dumps(scope, sort_keys=True)


def phrase(status: int) -> str:
    """The HTTP reason phrase of a status, "" when it has none."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
