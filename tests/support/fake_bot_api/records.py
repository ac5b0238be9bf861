"""What the fake records and stores: calls, uploads, webhook settings and deliveries, files."""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

from tests.support.fake_bot_api.protocol import JSONDict, as_int


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
        number = as_int(value)
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
class StoredFile:
    """A file getFile and the download URL serve: uploaded, registered or seen in an update."""

    file_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def unique_id(self) -> str:
        """The file's ``file_unique_id``."""
        return f"U{self.file_id}"


def resolve_attachments(
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
