"""A small asynchronous client of the WeCom API: token, message send and update, media.

The access token is cached until shortly before it expires and renewed once when WeCom says
it is invalid or expired (40014, 42001). Errors come back as aiogram's exceptions, so the
delivery loop treats WeCom as it treats Telegram: 81013 (the person is not in the app's
visible range) is a blocked chat, a network failure or a busy server a transient one.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramServerError,
)
from aiogram.methods import GetMe, TelegramMethod

STALE_TOKEN = frozenset({40014, 42001})
NOT_REACHABLE = frozenset({81013, 60111})
BUSY = frozenset({-1, 45009})
# Renew this long before WeCom says the token expires.
TOKEN_MARGIN = 300.0
TIMEOUT = aiohttp.ClientTimeout(total=30)


class WeComAPIError(Exception):
    """WeCom answered with an error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"WeCom error {code}: {message}")
        self.code = code
        self.message = message


class WeComAPI:
    """Calls to one WeCom self-built app, on a base address (a fake one in tests)."""

    def __init__(self, base_url: str, *, corp_id: str, secret: str, agent_id: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self._http: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._token_lock = asyncio.Lock()

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._http

    async def close(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def token(self, *, renew: bool = False) -> str:
        """The access token, from the cache unless it is near expiry or ``renew`` is set."""
        async with self._token_lock:
            if not renew and self._token and time.monotonic() < self._expires_at:
                return self._token
            answer = await self._get(
                "/cgi-bin/gettoken", {"corpid": self.corp_id, "corpsecret": self.secret}
            )
            self._check(answer)
            self._token = str(answer["access_token"])
            lifetime = float(answer.get("expires_in", 7200))
            self._expires_at = time.monotonic() + max(lifetime - TOKEN_MARGIN, lifetime / 2)
            return self._token

    async def call(
        self, path: str, payload: dict[str, Any], *, method: TelegramMethod[Any] | None = None
    ) -> dict[str, Any]:
        """POST JSON to ``path`` with the token; the answer, or the error as aiogram's."""
        for attempt in (0, 1):
            token = await self.token(renew=attempt == 1)
            answer = await self._post(path, {"access_token": token}, json=payload)
            code = int(answer.get("errcode", 0))
            if code in STALE_TOKEN and attempt == 0:
                continue
            return self._checked(answer, method)
        raise AssertionError("unreachable")  # pragma: no cover

    async def upload(
        self, kind: str, name: str, data: bytes, *, method: TelegramMethod[Any] | None = None
    ) -> str:
        """Upload a temporary media file (``image`` or ``file``); its media id."""
        for attempt in (0, 1):
            token = await self.token(renew=attempt == 1)
            form = aiohttp.FormData()
            form.add_field("media", data, filename=name, content_type="application/octet-stream")
            answer = await self._post(
                "/cgi-bin/media/upload", {"access_token": token, "type": kind}, data=form
            )
            if int(answer.get("errcode", 0)) in STALE_TOKEN and attempt == 0:
                continue
            return str(self._checked(answer, method)["media_id"])
        raise AssertionError("unreachable")  # pragma: no cover

    async def download(self, media_id: str) -> bytes:
        """The bytes of a media file someone sent (kept by WeCom for three days)."""
        for attempt in (0, 1):
            token = await self.token(renew=attempt == 1)
            try:
                async with self._client().get(
                    f"{self.base_url}/cgi-bin/media/get",
                    params={"access_token": token, "media_id": media_id},
                ) as response:
                    if response.status >= 500:
                        raise TelegramServerError(method=_NO_METHOD, message="WeCom unavailable")
                    body = await response.read()
                    if response.content_type != "application/json":
                        return body
            except aiohttp.ClientError as error:
                raise TelegramNetworkError(method=_NO_METHOD, message=str(error)) from error
            answer = json.loads(body)
            if int(answer.get("errcode", 0)) in STALE_TOKEN and attempt == 0:
                continue
            self._checked(answer, None)
        raise FileNotFoundError(media_id)

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        return await self._request("GET", path, params)

    async def _post(self, path: str, params: dict[str, str], **body: Any) -> dict[str, Any]:
        return await self._request("POST", path, params, **body)

    async def _request(
        self, verb: str, path: str, params: dict[str, str], **body: Any
    ) -> dict[str, Any]:
        try:
            async with self._client().request(
                verb, f"{self.base_url}{path}", params=params, **body
            ) as response:
                if response.status >= 500:
                    raise TelegramServerError(
                        method=_NO_METHOD, message=f"WeCom answered {response.status}"
                    )
                answer = await response.json(content_type=None)
        except aiohttp.ClientError as error:
            raise TelegramNetworkError(method=_NO_METHOD, message=str(error)) from error
        if not isinstance(answer, dict):
            raise TelegramServerError(method=_NO_METHOD, message="WeCom answered no object")
        return answer

    @staticmethod
    def _check(answer: dict[str, Any]) -> None:
        code = int(answer.get("errcode", 0))
        if code:
            raise WeComAPIError(code, str(answer.get("errmsg", "")))

    @staticmethod
    def _checked(answer: dict[str, Any], method: TelegramMethod[Any] | None) -> dict[str, Any]:
        code = int(answer.get("errcode", 0))
        if not code:
            return answer
        text = f"WeCom error {code}: {answer.get('errmsg', '')}"
        shown = method or _NO_METHOD
        if code in NOT_REACHABLE:
            raise TelegramForbiddenError(method=shown, message=f"Forbidden: {text}")
        if code in BUSY:
            raise TelegramServerError(method=shown, message=text)
        raise TelegramBadRequest(method=shown, message=f"Bad Request: {text}")


# aiogram's exceptions name the method that failed; calls of our own name getMe.
_NO_METHOD = GetMe()
