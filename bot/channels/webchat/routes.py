"""HTTP routes of the web chat: the page, its WebSocket, uploads and files."""

from __future__ import annotations

import json
import logging
import re
import time
from collections import defaultdict, deque
from pathlib import Path

from aiogram.utils.i18n import gettext as _
from aiohttp import BodyPartReader, WSMsgType, web

from bot.channels.webchat import WebChat
from bot.channels.webchat.frames import Sender
from bot.channels.webchat.identity import COOKIE_MAX_AGE, COOKIE_NAME
from bot.channels.webchat.media import MAX_UPLOAD_BYTES
from services.identities import effective_locale, find_identity, locale_from_language_code

log = logging.getLogger(__name__)

WEBCHAT_KEY = web.AppKey("webchat", WebChat)
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "web" / "static"
START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
UPLOADS_PER_HOUR = 30
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def setup_routes(app: web.Application, webchat: WebChat) -> None:
    """Mount the web chat on an aiohttp application."""
    app[WEBCHAT_KEY] = webchat
    app.router.add_get("/", index)
    app.router.add_get("/webchat/ws", websocket)
    app.router.add_post("/webchat/upload", upload)
    app.router.add_get("/webchat/media/{file_id}", media)
    app.router.add_static("/webchat/static/", STATIC_DIR, show_index=False)


def _cookie_chat(request: web.Request) -> int | None:
    return request.app[WEBCHAT_KEY].signer.loads(request.cookies.get(COOKIE_NAME))


def _page_strings() -> dict[str, str]:
    return {
        "placeholder": _("Message"),
        "send": _("Send"),
        "attach_photo": _("Attach a photo"),
        "share_location": _("Share my location"),
        "start": _("Start"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost, reconnecting…"),
        "persona": _("Acting as"),
        "phone_prompt": _("Your phone number"),
        "phone_submit": _("Share"),
        "phone_cancel": _("Cancel"),
        "location_unavailable": _("Your browser could not tell the location."),
        "upload_failed": _("The file could not be sent. Please try again."),
        "photo": _("Photo"),
        "location": _("Location"),
        "contact": _("Phone number"),
        "document": _("File"),
        "ok": _("OK"),
    }


async def _page_locale(request: web.Request, chat_id: int) -> str:
    webchat = request.app[WEBCHAT_KEY]
    async with webchat.ctx.db.session() as session:
        identity = await find_identity(session, channel="web", chat_id=chat_id)
    header = request.headers.get("Accept-Language", "")
    language = header.split(",")[0].split(";")[0].strip() or None
    return effective_locale(identity, language, webchat.ctx.settings.default_locale)


async def index(request: web.Request) -> web.Response:
    """The chat page; gives a new browser its own signed identity."""
    webchat = request.app[WEBCHAT_KEY]
    chat_id = _cookie_chat(request)
    fresh = chat_id is None
    if chat_id is None:
        chat_id = webchat.signer.new_chat_id()
    locale = await _page_locale(request, chat_id)
    payload = request.query.get("start")
    i18n = webchat.ctx.i18n
    with i18n.context(), i18n.use_locale(locale):
        bootstrap = {
            "demo": webchat.ctx.settings.demo,
            "locale": locale,
            "title": _("CPPCC liaison desk"),
            "ui": _page_strings(),
            "personas": [{"key": p.key, "label": _(p.label)} for p in webchat.personas],
            "start_payload": payload if payload and START_PAYLOAD.match(payload) else None,
        }
    template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    data = json.dumps(bootstrap, ensure_ascii=False).replace("</", "<\\/")
    html = template.replace("__BOOTSTRAP_JSON__", data).replace(
        "__LANG__", "zh-CN" if locale == "zh_CN" else "en"
    )
    response = web.Response(text=html, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if fresh:
        response.set_cookie(
            COOKIE_NAME,
            webchat.signer.dumps(chat_id),
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.secure,
        )
    return response


async def websocket(request: web.Request) -> web.StreamResponse:
    """One page's connection: history first, then frames in and rendered calls out."""
    webchat = request.app[WEBCHAT_KEY]
    cookie_chat = _cookie_chat(request)
    if cookie_chat is None:
        raise web.HTTPForbidden(text="open the chat page first")
    chat_id, persona = webchat.chat_for(cookie_chat, request.query.get("persona"))
    language = (request.query.get("lang") or "")[:16] or None
    sender = Sender(chat_id=chat_id, language_code=language)
    socket = web.WebSocketResponse(heartbeat=25, max_msg_size=64 * 1024)
    await socket.prepare(request)
    history = webchat.hub.attach(chat_id, socket)
    try:
        await socket.send_json(
            {
                "type": "hello",
                "chat_id": chat_id,
                "persona": persona.key,
                "locale": locale_from_language_code(language) or "",
            }
        )
        await socket.send_json({"type": "history", "events": history})
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                await webchat.handle_frame(message.data, sender=sender, socket=socket)
            elif message.type == WSMsgType.ERROR:
                log.info("web chat %s: socket error %s", chat_id, socket.exception())
    finally:
        webchat.hub.detach(chat_id, socket)
    return socket


_uploads: defaultdict[int, deque[float]] = defaultdict(deque)


def _upload_allowed(chat_id: int) -> bool:
    now = time.monotonic()
    window = _uploads[chat_id]
    while window and now - window[0] > 3600:
        window.popleft()
    if len(window) >= UPLOADS_PER_HOUR:
        return False
    window.append(now)
    return True


async def upload(request: web.Request) -> web.Response:
    """Receive one file from a page; any type, at most 10 MB. The bot decides what it accepts."""
    webchat = request.app[WEBCHAT_KEY]
    chat_id = _cookie_chat(request)
    if chat_id is None:
        raise web.HTTPForbidden(text="open the chat page first")
    locale = await _page_locale(request, chat_id)
    i18n = webchat.ctx.i18n
    with i18n.context(), i18n.use_locale(locale):
        if not _upload_allowed(chat_id):
            return web.json_response(
                {"error": _("Too many files in a short time. Please wait a while.")}, status=429
            )
        try:
            reader = await request.multipart()
            field = await reader.next()
        except (ValueError, AssertionError):
            field = None
        if not isinstance(field, BodyPartReader) or field.name != "file":
            return web.json_response({"error": _("No file was received.")}, status=400)
        data = bytearray()
        while chunk := await field.read_chunk(64 * 1024):
            data.extend(chunk)
            if len(data) > MAX_UPLOAD_BYTES:
                return web.json_response({"error": _("The file is larger than 10 MB.")}, status=413)
        if not data:
            return web.json_response({"error": _("The file is empty.")}, status=400)
        stored = webchat.media.store(bytes(data), name=field.filename or "file")
    return web.json_response(
        {
            "file_id": stored.file_id,
            "kind": "photo" if stored.is_photo else "document",
            "url": webchat.media.url(stored.file_id, chat_id),
        }
    )


async def media(request: web.Request) -> web.StreamResponse:
    """Serve a file to the chat its URL was signed for."""
    webchat = request.app[WEBCHAT_KEY]
    file_id = request.match_info["file_id"]
    raw_chat = request.query.get("c", "")
    token = request.query.get("t", "")
    if not raw_chat.isdigit() or not webchat.media.allowed(file_id, int(raw_chat), token):
        raise web.HTTPForbidden()
    stored = webchat.media.get(file_id)
    path = webchat.media.path(file_id)
    if stored is None or path is None:
        raise web.HTTPNotFound()
    disposition = "inline" if stored.is_photo else f'attachment; filename="{stored.file_id}"'
    return web.FileResponse(
        path,
        headers={
            "Content-Type": stored.mime_type,
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=86400",
        },
    )
