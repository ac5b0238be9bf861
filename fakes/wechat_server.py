"""A fake WeChat service account API on 127.0.0.1 (its users: fakes/wechat_user.py).

The server plays the rules the bot must live with: the 48-hour customer-service window of
5 messages from a person's last message (45015 outside it, 45047 when spent), 3 messages in
the minute after a menu tap, template messages only with a known template id, temporary
media that expire after three days (40007). Its window is its own bookkeeping, learnt from the
messages ``post`` delivers, independent from the bot's. Everything is recorded; tests wait on
events (``wait_for_messages``), never on sleeps.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

WINDOW = dt.timedelta(hours=48)
WINDOW_COUNT = 5
MENU_WINDOW = dt.timedelta(minutes=1)
MENU_COUNT = 3
MEDIA_LIFETIME = dt.timedelta(days=3)
# A menu item's name, in bytes: a top item, an item under one.
TOP_NAME_BYTES = 16
SUB_NAME_BYTES = 60


@dataclass
class Sent:
    """A message the account sent to a person: ``passive`` replies and customer-service ones."""

    openid: str
    kind: str  # "text", "image", "template"
    text: str = ""
    media_id: str | None = None
    passive: bool = False
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Window:
    last_inbound: dt.datetime
    spent: int = 0
    menu_tap: dt.datetime | None = None
    menu_spent: int = 0


class FakeWeChat:
    """The fake API server; ``now`` is its clock (a test may move it)."""

    def __init__(self, *, templates: set[str] | None = None) -> None:
        self.templates = templates or set()
        self.now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.menu: list[dict[str, Any]] | None = None
        self.media: dict[str, tuple[bytes, dt.datetime]] = {}
        self.windows: dict[str, _Window] = {}
        self.token = "fake-token-" + secrets.token_hex(4)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        """Where the API answers."""
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self._stable_token)
        app.router.add_get("/cgi-bin/token", self._stable_token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/message/template/send", self._template_send)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._download)
        app.router.add_post("/cgi-bin/menu/create", self._menu)
        app.router.add_post("/cgi-bin/qrcode/create", self._qrcode)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests read ---------------------------------------------------------------------

    def sent_to(self, openid: str) -> list[Sent]:
        """Everything the account sent to ``openid``, in order."""
        return [item for item in self.sent if item.openid == openid]

    def record(self, item: Sent) -> None:
        """Note a message sent (the passive replies are noted by the user who got them)."""
        self.sent.append(item)
        self._changed.set()

    async def wait_for(self, check: Callable[[], bool], *, timeout: float = 10.0) -> None:
        """Wait until ``check()`` holds, woken by every message sent."""
        async with asyncio.timeout(timeout):
            while not check():
                self._changed.clear()
                await self._changed.wait()

    async def wait_for_messages(self, openid: str, count: int, *, timeout: float = 10.0) -> None:
        """Wait until ``openid`` got ``count`` messages in all."""
        await self.wait_for(lambda: len(self.sent_to(openid)) >= count, timeout=timeout)

    def inbound(self, openid: str, *, menu_tap: bool = False) -> None:
        """The person wrote (or tapped the menu): their window opens again."""
        now = self.now()
        window = self.windows.get(openid)
        if window is None:
            window = self.windows[openid] = _Window(last_inbound=now)
        window.last_inbound, window.spent = now, 0
        if menu_tap:
            window.menu_tap, window.menu_spent = now, 0

    # --- the API -----------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        return request.query.get("access_token") == self.token

    @staticmethod
    def _error(code: int, message: str) -> web.Response:
        return web.json_response({"errcode": code, "errmsg": message})

    async def _stable_token(self, request: web.Request) -> web.Response:
        self.calls.append(("stable_token", {}))
        return web.json_response({"access_token": self.token, "expires_in": 7200})

    async def _json(self, request: web.Request, name: str) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(await request.read())
        self.calls.append((name, body))
        return body

    async def _custom_send(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(40001, "invalid credential")
        body = await self._json(request, "custom_send")
        openid = str(body.get("touser"))
        window = self.windows.get(openid)
        now = self.now()
        if window is None or now - window.last_inbound > WINDOW:
            return self._error(45015, "response out of time limit")
        menu_open = window.menu_tap is not None and now - window.menu_tap <= MENU_WINDOW
        if menu_open and window.menu_spent < MENU_COUNT:
            window.menu_spent += 1
            return self._sent(openid, body)
        if window.spent >= WINDOW_COUNT:
            return self._error(45047, "out of response count limit")
        window.spent += 1
        return self._sent(openid, body)

    def _sent(self, openid: str, body: dict[str, Any]) -> web.Response:
        kind = str(body.get("msgtype"))
        if kind == "text":
            self.record(Sent(openid, "text", text=str(body["text"]["content"])))
        elif kind == "image":
            self.record(Sent(openid, "image", media_id=str(body["image"]["media_id"])))
        else:
            return self._error(40008, "invalid message type")
        return self._error(0, "ok")

    async def _template_send(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(40001, "invalid credential")
        body = await self._json(request, "template_send")
        if body.get("template_id") not in self.templates:
            return self._error(40037, "invalid template_id")
        msgid = next(self._ids)
        self.record(Sent(str(body["touser"]), "template", data=dict(body.get("data") or {})))
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    def add_media(self, data: bytes) -> str:
        """A media id for bytes a person sent (their photo)."""
        media_id = "M" + hashlib.sha256(data).hexdigest()[:20] + secrets.token_hex(2)
        self.media[media_id] = (data, self.now())
        return media_id

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(40001, "invalid credential")
        form = await request.post()
        media = form.get("media")
        data = media.file.read() if isinstance(media, web.FileField) else b""
        if not data:
            return self._error(41005, "media data missing")
        self.calls.append(("media_upload", {"size": len(data)}))
        return web.json_response({"type": "image", "media_id": self.add_media(data)})

    async def _download(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(40001, "invalid credential")
        stored = self.media.get(request.query.get("media_id", ""))
        if stored is None or self.now() - stored[1] > MEDIA_LIFETIME:
            return self._error(40007, "invalid media_id")
        return web.Response(body=stored[0], content_type="image/jpeg")

    async def _menu(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(40001, "invalid credential")
        body = await self._json(request, "menu_create")
        buttons = body.get("button") or []
        if not 1 <= len(buttons) <= 3:
            return self._error(40017, "invalid button size")
        for button in buttons:
            subs = button.get("sub_button")
            if subs is not None and not 1 <= len(subs) <= 5:
                return self._error(40023, "invalid sub button size")
            if len(str(button.get("name") or "").encode()) > TOP_NAME_BYTES:
                return self._error(40018, "invalid button name size")
            for item in subs or [button]:
                if item.get("type") not in ("click", "view") or not item.get("name"):
                    return self._error(40018, "invalid button type or name")
                if len(str(item["name"]).encode()) > SUB_NAME_BYTES:
                    return self._error(40018, "invalid button name size")
                if item["type"] == "click" and not 1 <= len(str(item.get("key") or "")) <= 128:
                    return self._error(40019, "invalid button key size")
        self.menu = buttons
        return self._error(0, "ok")

    async def _qrcode(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(40001, "invalid credential")
        body = await self._json(request, "qrcode_create")
        scene = str(body.get("action_info", {}).get("scene", {}).get("scene_str") or "")
        if body.get("action_name") != "QR_LIMIT_STR_SCENE" or not 1 <= len(scene) <= 64:
            return self._error(40053, "invalid action info")
        return web.json_response(
            {"ticket": f"T-{scene}", "url": f"http://weixin.qq.com/q/{scene}", "expire_seconds": 0}
        )
