"""A small asynchronous client of the WeChat service account API (wechatpy's is synchronous).

The access token comes from ``/cgi-bin/stable_token``: WeChat gives every caller the same
token until it expires, so several processes renewing it do not invalidate each other's.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp

# Renew this long before the token's stated expiry.
TOKEN_MARGIN = 300.0
# The token was refused (expired, revoked, or renewed elsewhere): renew once and retry.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# The customer-service window is shut (45015) or its count is spent (45047).
WINDOW_ERRORS = frozenset({45015, 45047})
# The person unsubscribed or blocked the account.
GONE_ERRORS = frozenset({43004, 43019})


class WeChatApiError(Exception):
    """WeChat answered with a non-zero ``errcode``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"WeChat error {code}: {message}")
        self.code = code
        self.message = message


class WeChatApi:
    """The endpoints the channel uses, on the base address of the setting."""

    def __init__(self, base_url: str, app_id: str, app_secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self._http: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._expires = 0.0
        self._renewing = asyncio.Lock()

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        return self._http

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def token(self, *, renew: bool = False) -> str:
        """The access token, renewed shortly before it expires (or at once with ``renew``)."""
        async with self._renewing:
            if renew or self._token is None or time.monotonic() >= self._expires:
                answer = await self._post_json(
                    "/cgi-bin/stable_token",
                    {
                        "grant_type": "client_credential",
                        "appid": self.app_id,
                        "secret": self.app_secret,
                        "force_refresh": False,
                    },
                )
                self._token = str(answer["access_token"])
                lifetime = float(answer.get("expires_in", 7200))
                self._expires = time.monotonic() + max(lifetime - TOKEN_MARGIN, lifetime / 2)
            return self._token

    async def _post_json(
        self, path: str, payload: dict[str, Any], params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        async with self._client().post(
            self.base_url + path,
            data=body,
            params=params,
            headers={"Content-Type": "application/json"},
        ) as response:
            answer: dict[str, Any] = json.loads(await response.read())
        _check(answer)
        return answer

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST JSON with the access token; the token is renewed once if WeChat refuses it."""
        try:
            return await self._post_json(path, payload, {"access_token": await self.token()})
        except WeChatApiError as error:
            if error.code not in TOKEN_ERRORS:
                raise
        return await self._post_json(path, payload, {"access_token": await self.token(renew=True)})

    async def send_text(self, openid: str, text: str) -> None:
        """A customer-service text message."""
        await self.call(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "text", "text": {"content": text}},
        )

    async def send_image(self, openid: str, media_id: str) -> None:
        """A customer-service image message."""
        await self.call(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "image", "image": {"media_id": media_id}},
        )

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None
    ) -> int:
        """A template message; its message id."""
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            payload["url"] = url
        answer = await self.call("/cgi-bin/message/template/send", payload)
        return int(answer.get("msgid", 0))

    async def upload_image(self, data: bytes, filename: str) -> str:
        """Upload a temporary image; its media id."""
        form = aiohttp.FormData()
        form.add_field("media", data, filename=filename, content_type="application/octet-stream")
        for attempt in (False, True):
            params = {"access_token": await self.token(renew=attempt), "type": "image"}
            async with self._client().post(
                self.base_url + "/cgi-bin/media/upload", data=form, params=params
            ) as response:
                answer: dict[str, Any] = json.loads(await response.read())
            if answer.get("errcode") in TOKEN_ERRORS and not attempt:
                form = aiohttp.FormData()
                form.add_field(
                    "media", data, filename=filename, content_type="application/octet-stream"
                )
                continue
            _check(answer)
            return str(answer["media_id"])
        raise AssertionError("unreachable")

    async def get_media(self, media_id: str) -> bytes:
        """A temporary media file's bytes (WeChat keeps them three days)."""
        for attempt in (False, True):
            params = {"access_token": await self.token(renew=attempt), "media_id": media_id}
            async with self._client().get(
                self.base_url + "/cgi-bin/media/get", params=params
            ) as response:
                data = await response.read()
                kind = response.headers.get("Content-Type", "")
            if not kind.startswith(("application/json", "text/plain")):
                return data
            answer = json.loads(data)
            if answer.get("errcode") in TOKEN_ERRORS and not attempt:
                continue
            _check(answer)
        raise WeChatApiError(-1, "media/get answered no file")

    async def create_menu(self, buttons: list[dict[str, Any]]) -> None:
        """Publish the custom menu."""
        await self.call("/cgi-bin/menu/create", {"button": buttons})

    async def qr_code(self, scene: str) -> str:
        """A permanent parametric QR code's content for ``scene``."""
        answer = await self.call(
            "/cgi-bin/qrcode/create",
            {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}},
        )
        return str(answer["url"])


def _check(answer: dict[str, Any]) -> None:
    code = int(answer.get("errcode") or 0)
    if code:
        raise WeChatApiError(code, str(answer.get("errmsg", "")))
