"""A fake WeCom server: WeCom's rules for a self-built app, played on 127.0.0.1.

It hands out tokens, takes text, image, file, markdown and ``button_interaction`` card
messages (at most six buttons, each task id once), honours ``enable_duplicate_check``, and
silently drops what goes beyond 30 messages a minute or 1,000 an hour to one person, as
WeCom does, recording the drop so a test can prove the bot never gets there. A card's click
gives a response code that updates the card once, within 72 hours. Media go up and come
back. Its clock is injectable. :class:`fakes.wecom_people.WeComPeople` plays the people.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from fakes.wecom_waiting import Signal

CARD_UPDATE_WINDOW = dt.timedelta(hours=72)
PER_MINUTE = 30
PER_HOUR = 1000
MAX_BUTTONS = 6
MAX_TEXT_BYTES = 2048


@dataclass
class Sent:
    """One message the app sent to a person: delivered, a duplicate, or dropped."""

    userid: str
    msgtype: str
    body: dict[str, Any]
    at: dt.datetime
    msgid: str
    fate: str = "delivered"
    # A card's state after updates: its current body, or the name its buttons were retired to.
    retired_as: str | None = None
    updates: int = 0

    @property
    def text(self) -> str:
        """What the person reads: a text's content, a card's title and sub-title."""
        if self.msgtype in ("text", "markdown"):
            return str(self.body[self.msgtype]["content"])
        if self.msgtype == "template_card":
            card = self.body["template_card"]
            return "\n".join(
                [
                    str(card.get("main_title", {}).get("title", "")),
                    str(card.get("sub_title_text", "")),
                ]
            ).strip()
        return ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """A live card's buttons as (label, key); none once retired."""
        if self.msgtype != "template_card" or self.retired_as is not None:
            return []
        return [(b["text"], b["key"]) for b in self.body["template_card"].get("button_list", [])]


@dataclass
class _Code:
    task_id: str
    issued_at: dt.datetime
    used: bool = False


@dataclass
class FakeWeCom:
    """The fake server; ``async with FakeWeCom() as fake``, then point the bot at ``base_url``."""

    corp_id: str = "ww-fake-corp"
    secret: str = "fake-secret"  # noqa: S105  (the fake's own credential)
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    per_minute: int = PER_MINUTE
    per_hour: int = PER_HOUR
    sent: list[Sent] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    # People outside the app's visible range: sending to them is refused with 81013.
    invisible: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    codes: dict[str, _Code] = field(default_factory=dict)
    task_ids: dict[str, Sent] = field(default_factory=dict)
    signal: Signal = field(default_factory=Signal)
    base_url: str = ""
    _runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeWeCom:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_post("/cgi-bin/message/update_template_card", self._update_card)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests read -----------------------------------------------------------------

    def delivered(self, userid: str) -> list[Sent]:
        """What reached the person, oldest first."""
        return [s for s in self.sent if s.userid == userid and s.fate == "delivered"]

    def dropped(self, userid: str | None = None) -> list[Sent]:
        """What WeCom silently dropped for being over the per-person limits."""
        return [s for s in self.sent if s.fate == "dropped" and userid in (None, s.userid)]

    def expire_tokens(self) -> None:
        """Every token handed out so far stops working (42001), as after two hours."""
        self.tokens.clear()

    async def wait_for(
        self, predicate: Callable[[], Any], *, timeout: float = 10, what: str = "an event"
    ) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every request); its value."""
        loop_deadline = _Deadline(timeout)
        while True:
            value = predicate()
            if value:
                return value
            if loop_deadline.over():
                raise TimeoutError(f"no {what} within {timeout}s")
            await self.signal.wait(loop_deadline.left())

    async def wait_for_messages(
        self, userid: str, count: int, *, timeout: float = 10
    ) -> list[Sent]:
        """Wait until ``count`` messages reached the person; all of them."""
        await self.wait_for(
            lambda: len(self.delivered(userid)) >= count,
            timeout=timeout,
            what=f"{count} messages to {userid}",
        )
        return self.delivered(userid)

    def issue_code(self, task_id: str) -> str:
        """A response code for a click on the card ``task_id``, as WeCom gives with the event."""
        code = secrets.token_hex(12)
        self.codes[code] = _Code(task_id=task_id, issued_at=self.now())
        return code

    # --- the API ---------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        return request.query.get("access_token", "") in self.tokens

    def _notify(self) -> None:
        self.signal.notify()

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.calls.append("gettoken")
        if (request.query.get("corpid"), request.query.get("corpsecret")) != (
            self.corp_id,
            self.secret,
        ):
            return _error(40001, "invalid credential")
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        )

    async def _send(self, request: web.Request) -> web.Response:
        self.calls.append("message/send")
        if not self._authorised(request):
            return _error(42001, "access_token expired")
        body = await request.json()
        userid = str(body.get("touser", ""))
        msgtype = str(body.get("msgtype", ""))
        if userid in self.invisible:
            return _error(81013, "user & party & tag all invalid")
        problem = self._invalid(msgtype, body)
        if problem is not None:
            return _error(40008, problem)
        now = self.now()
        sent = Sent(userid=userid, msgtype=msgtype, body=body, at=now, msgid=secrets.token_hex(8))
        if body.get("enable_duplicate_check"):
            interval = dt.timedelta(seconds=int(body.get("duplicate_check_interval", 1800)))
            content = _content(body)
            if any(
                s.userid == userid and _content(s.body) == content and now - s.at < interval
                for s in self.sent
                if s.fate == "delivered"
            ):
                sent.fate = "duplicate"
        if sent.fate == "delivered" and self._over_limit(userid, now):
            sent.fate = "dropped"
        if msgtype == "template_card" and sent.fate == "delivered":
            self.task_ids[body["template_card"]["task_id"]] = sent
        self.sent.append(sent)
        self._notify()
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": sent.msgid})

    def _invalid(self, msgtype: str, body: dict[str, Any]) -> str | None:
        if msgtype in ("text", "markdown"):
            content = str((body.get(msgtype) or {}).get("content", ""))
            if not content or len(content.encode()) > MAX_TEXT_BYTES:
                return "content empty or over 2048 bytes"
            return None
        if msgtype in ("image", "file"):
            media_id = str((body.get(msgtype) or {}).get("media_id", ""))
            return None if media_id in self.media else "invalid media_id"
        if msgtype != "template_card":
            return f"unknown msgtype {msgtype}"
        card = body.get("template_card") or {}
        if card.get("card_type") != "button_interaction":
            return "only button_interaction cards are played here"
        buttons = card.get("button_list") or []
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            return "a button_interaction card takes 1 to 6 buttons"
        task_id = str(card.get("task_id", ""))
        if not task_id or task_id in self.task_ids:
            return "task_id missing or used before"
        if not card.get("main_title", {}).get("title"):
            return "main_title.title missing"
        return None

    def _over_limit(self, userid: str, now: dt.datetime) -> bool:
        delivered = [s.at for s in self.sent if s.userid == userid and s.fate == "delivered"]
        minute = sum(1 for at in delivered if now - at < dt.timedelta(minutes=1))
        hour = sum(1 for at in delivered if now - at < dt.timedelta(hours=1))
        return minute >= self.per_minute or hour >= self.per_hour

    async def _update_card(self, request: web.Request) -> web.Response:
        self.calls.append("message/update_template_card")
        if not self._authorised(request):
            return _error(42001, "access_token expired")
        body = await request.json()
        code = self.codes.get(str(body.get("response_code", "")))
        if code is None or code.used or self.now() - code.issued_at >= CARD_UPDATE_WINDOW:
            return _error(40128, "invalid response_code")
        card = self.task_ids.get(code.task_id)
        if card is None:
            return _error(40128, "invalid response_code")
        code.used = True
        card.updates += 1
        if "template_card" in body:
            new = dict(body["template_card"])
            buttons = new.get("button_list") or []
            if not 1 <= len(buttons) <= MAX_BUTTONS:
                return _error(40008, "a button_interaction card takes 1 to 6 buttons")
            card.body = {**card.body, "template_card": new}
        else:
            card.retired_as = str((body.get("button") or {}).get("replace_name", ""))
        self._notify()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _upload(self, request: web.Request) -> web.Response:
        self.calls.append("media/upload")
        if not self._authorised(request):
            return _error(42001, "access_token expired")
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return _error(41001, "media missing")
        data = media.file.read()
        if len(data) > 20 * 1024 * 1024:
            return _error(40006, "invalid file size")
        media_id = self.add_media(data)
        return web.json_response(
            {"errcode": 0, "type": request.query.get("type"), "media_id": media_id}
        )

    def add_media(self, data: bytes) -> str:
        """Keep bytes as WeCom keeps an upload (or a person's photo); the media id."""
        media_id = "M" + secrets.token_hex(12)
        self.media[media_id] = data
        return media_id

    async def _media_get(self, request: web.Request) -> web.Response:
        self.calls.append("media/get")
        if not self._authorised(request):
            return _error(42001, "access_token expired")
        data = self.media.get(request.query.get("media_id", ""))
        if data is None:
            return _error(40007, "invalid media_id")
        return web.Response(body=data, content_type="application/octet-stream")


def _content(body: dict[str, Any]) -> str:
    """What the duplicate check compares: the message without its envelope."""
    msgtype = str(body.get("msgtype", ""))
    return json.dumps(body.get(msgtype), sort_keys=True, ensure_ascii=False)


def _error(code: int, message: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": message})


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def over(self) -> bool:
        return time.monotonic() >= self.at

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())
