"""A phone on the fake platforms: a page to be a resident on the service account or a WeCom user.

What a person does on the page goes to the bot exactly as the platform would send it (signed
and encrypted callbacks, through ``WeChatUser`` and ``WeComPeople``); what the page shows is
what the fake platforms recorded as delivered to that person: passive replies, customer-service
and template messages, WeCom texts and cards (updated in place when the bot updates them).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from aiohttp import web

from fakes.wechat_server import FakeWeChat
from fakes.wechat_server import Sent as WeChatSent
from fakes.wechat_user import WeChatUser
from fakes.wecom import FakeWeCom
from fakes.wecom import Sent as WeComSent
from fakes.wecom_people import WeComPeople

PAGE = Path(__file__).with_name("phone.html")
LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
# The WeCom people the demo seed binds (services/demo/wecom.py).
WECOM_PERSONAS = {"member": "demo-member", "staff": "demo-staff", "department": "demo-department"}
# A place in the demo's district, for the location button.
DEMO_PLACE = (38.4797, 106.2881)
MAX_PHOTO = 10 * 1024 * 1024


@dataclass
class Chat:
    """One person's screen: what they did, and what the platform delivered, in order."""

    entries: list[tuple[str, Any]] = field(default_factory=list)
    seen: int = 0


@dataclass
class Phone:
    """The fakes, the bot's callback addresses and the secrets to sign callbacks with."""

    wechat: FakeWeChat
    wecom: FakeWeCom
    wechat_callback: str
    wechat_token: str
    wechat_aes_key: str
    wechat_app_id: str
    wecom_callback: str
    wecom_token: str
    wecom_aes_key: str
    wecom_agent_id: int
    chats: dict[str, Chat] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.people = WeComPeople(
            self.wecom,
            url=self.wecom_callback,
            token=self.wecom_token,
            aes_key=self.wecom_aes_key,
            agent_id=self.wecom_agent_id,
        )

    def resident(self, openid: str) -> WeChatUser:
        """The resident whose WeChat OpenID is ``openid``."""
        return WeChatUser(
            self.wechat,
            self.wechat_callback,
            token=self.wechat_token,
            openid=openid,
            app_id=self.wechat_app_id,
            aes_key=self.wechat_aes_key,
        )

    def chat(self, key: str) -> Chat:
        """The screen of ``key``, brought up to date with what the platform delivered."""
        chat = self.chats.setdefault(key, Chat())
        platform, _, who = key.partition(":")
        delivered: list[Any] = (
            self.wechat.sent_to(who) if platform == "wechat" else self.wecom.delivered(who)
        )
        for item in delivered[chat.seen :]:
            chat.entries.append(("bot", item))
        chat.seen = len(delivered)
        return chat


def _person(request: web.Request, body: dict[str, Any]) -> tuple[str, str]:
    """The platform and the person's id a request speaks for."""
    persona = str(body.get("persona") or request.query.get("persona") or "resident")
    if persona in WECOM_PERSONAS:
        return "wecom", WECOM_PERSONAS[persona]
    openid = str(body.get("id") or request.query.get("id") or "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{6,64}", openid):
        raise web.HTTPBadRequest(text="a resident needs an id of 6 to 64 letters or digits")
    return "wechat", openid


def _text_html(text: str) -> str:
    """Text with WeChat's links: menu links become buttons, other links open in a new tab."""
    parts: list[str] = []
    last = 0
    for match in LINK.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        href, label = html.unescape(match.group(1)), html.unescape(match.group(2))
        if href.startswith("weixin://bizmsgmenu"):
            query = parse_qs(urlsplit(href).query)
            token = (query.get("msgmenuid") or [""])[0]
            token, label = html.escape(token), html.escape(label)
            parts.append(f'<button class="tap" data-token="{token}">{label}</button>')
        elif href.startswith(("http://", "https://")):
            parts.append(
                f'<a href="{html.escape(href)}" target="_blank" rel="noopener">'
                f"{html.escape(label)}</a>"
            )
        else:
            parts.append(html.escape(label))
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts).replace("\n", "<br>")


def _wechat_entry(item: WeChatSent) -> dict[str, Any]:
    if item.kind == "image" and item.media_id:
        return {"html": "", "image": f"/media/wechat/{item.media_id}"}
    if item.kind == "template":
        lines = [f"{key}: {value.get('value', '')}" for key, value in item.data.items()]
        return {"html": "📋 " + html.escape("\n".join(lines)).replace("\n", "<br>")}
    return {"html": _text_html(item.text)}


def _wecom_entry(item: WeComSent) -> dict[str, Any]:
    if item.msgtype == "template_card":
        card = item.body["template_card"]
        task_id = html.escape(str(card.get("task_id", "")))
        entry: dict[str, Any] = {"html": _text_html(item.text), "card": task_id}
        entry["buttons"] = [
            {"label": html.escape(label), "key": html.escape(key)} for label, key in item.buttons
        ]
        if item.retired_as:
            entry["html"] += "<br>✔ " + html.escape(item.retired_as)
        return entry
    if item.msgtype in ("image", "file"):
        media_id = item.body[item.msgtype]["media_id"]
        link = f"/media/wecom/{media_id}"
        if item.msgtype == "image":
            return {"html": "", "image": link}
        return {"html": f'<a href="{link}" target="_blank">📎 {html.escape(media_id)}</a>'}
    return {"html": _text_html(item.text)}


def phone_app(phone: Phone) -> web.Application:
    """The phone's pages and its small JSON API."""
    app = web.Application(client_max_size=MAX_PHOTO + 64 * 1024)

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=PAGE.read_text(encoding="utf-8"), content_type="text/html")

    async def log(request: web.Request) -> web.Response:
        platform, who = _person(request, {})
        chat = phone.chat(f"{platform}:{who}")
        shown = []
        for side, item in chat.entries:
            if side == "me":
                shown.append({"me": True, "html": html.escape(item)})
            elif platform == "wechat":
                shown.append(_wechat_entry(item))
            else:
                shown.append(_wecom_entry(item))
        return web.json_response({"messages": shown})

    async def act(request: web.Request) -> web.Response:
        action = request.match_info["action"]
        if action == "photo":
            form = await request.post()
            body: dict[str, Any] = {key: form.get(key) for key in ("persona", "id")}
            upload = form.get("file")
            if not isinstance(upload, web.FileField):
                raise web.HTTPBadRequest(text="no photo")
            body["data"] = upload.file.read()
        else:
            body = await request.json()
        platform, who = _person(request, body)
        chat = phone.chat(f"{platform}:{who}")
        try:
            said = await (_wechat_act if platform == "wechat" else _wecom_act)(
                phone, who, action, body
            )
        except aiohttp.ClientConnectionError:
            raise web.HTTPServiceUnavailable(text="the bot is not answering yet") from None
        if said:
            chat.entries.append(("me", said))
        phone.chat(f"{platform}:{who}")
        return web.json_response({"ok": True})

    async def media(request: web.Request) -> web.Response:
        platform, media_id = request.match_info["platform"], request.match_info["media_id"]
        if platform == "wechat":
            stored = phone.wechat.media.get(media_id)
            data = stored[0] if stored else None
        else:
            data = phone.wecom.media.get(media_id)
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type="application/octet-stream")

    app.router.add_get("/", page)
    app.router.add_get("/api/log", log)
    app.router.add_post("/api/{action}", act)
    app.router.add_get("/media/{platform}/{media_id}", media)
    return app


async def _wechat_act(phone: Phone, openid: str, action: str, body: dict[str, Any]) -> str:
    user = phone.resident(openid)
    if action == "start":
        await user.event("subscribe")
        return "(follows the account)"
    if action == "say":
        text = str(body.get("text") or "")
        await user.say(text)
        return text
    if action == "tap":
        label = str(body.get("label") or "")
        await user.post(user.message("text", Content=label, bizmsgmenuid=str(body.get("token"))))
        return label
    if action == "menu":
        await user.event("CLICK", str(body.get("key") or ""))
        return f"☰ {body.get('label') or body.get('key')}"
    if action == "location":
        await user.location(*DEMO_PLACE)
        return "📍"
    if action == "photo":
        await user.photo(body["data"])
        return "📷"
    raise web.HTTPNotFound()


async def _wecom_act(phone: Phone, userid: str, action: str, body: dict[str, Any]) -> str:
    people = phone.people
    if action in ("say", "start"):
        text = "/start" if action == "start" else str(body.get("text") or "")
        await people.text(userid, text)
        return text
    if action == "click":
        await people.click_key(userid, str(body.get("key")), str(body.get("card")))
        return f"☑ {body.get('label') or ''}"
    if action == "location":
        await people.location(userid, *DEMO_PLACE)
        return "📍"
    if action == "photo":
        await people.image(userid, body["data"])
        return "📷"
    raise web.HTTPNotFound()
