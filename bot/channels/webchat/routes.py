"""HTTP routes of the web chat: the page, its WebSocket, uploads and files."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path

from aiogram.utils.i18n import gettext as _
from aiohttp import BodyPartReader, WSMsgType, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.channels.webchat import WebChat
from bot.channels.webchat.chrome import page_chrome
from bot.channels.webchat.downloads import download
from bot.channels.webchat.frames import Sender
from bot.channels.webchat.identity import COOKIE_MAX_AGE, COOKIE_NAME, is_decimal
from bot.channels.webchat.links import fresh_links
from bot.channels.webchat.media import MAX_UPLOAD_BYTES
from bot.channels.webchat.origin import same_origin
from bot.client import came_over_https, client_address
from services.accounts.identities import effective_locale, find_identity, locale_from_language_code
from services.chats.webchat_files import FileKind

log = logging.getLogger(__name__)

WEBCHAT_KEY = web.AppKey("webchat", WebChat)
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "web" / "static"
# How much of a text file is read to tell whether it is UTF-8.
TEXT_SNIFF_BYTES = 64 * 1024
START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# What a broken multipart body raises: a missing or empty boundary, a line without an end.
MALFORMED_BODY = (ValueError, AssertionError, HttpProcessingError)
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
    bootstrap = {
        "demo": webchat.ctx.settings.demo,
        **page_chrome(webchat.ctx.i18n, locale, webchat.personas),
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
            secure=came_over_https(request, trust_proxy=webchat.ctx.settings.trust_proxy),
        )
    return response


async def websocket(request: web.Request) -> web.StreamResponse:
    """One page's connection: history first, then frames in and rendered calls out."""
    webchat = request.app[WEBCHAT_KEY]
    trust_proxy = webchat.ctx.settings.trust_proxy
    # Another site's page must not talk as this browser with its cookie.
    if not same_origin(request, trust_proxy=trust_proxy):
        raise web.HTTPForbidden(text="cross-origin connection refused")
    cookie_chat = _cookie_chat(request)
    if cookie_chat is None:
        raise web.HTTPForbidden(text="open the chat page first")
    chat_id, persona = webchat.chat_for(cookie_chat, request.query.get("persona"))
    language = (request.query.get("lang") or "")[:16] or None
    sender = Sender(
        chat_id=chat_id,
        language_code=language,
        address=client_address(request, trust_proxy=trust_proxy),
        browser_chat_id=cookie_chat,
    )
    socket = web.WebSocketResponse(heartbeat=25, max_msg_size=64 * 1024)
    await socket.prepare(request)
    webchat.hub.attach(chat_id, socket)
    try:
        await socket.send_json(
            {
                "type": "hello",
                "chat_id": chat_id,
                "persona": persona.key,
                "locale": locale_from_language_code(language) or "",
            }
        )
        # Read after attaching: a message sent meanwhile is in it, and pushed again at worst.
        history = await webchat.history(chat_id)
        events = fresh_links(history, webchat.media, chat_id)
        await socket.send_json({"type": "history", "events": events})
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                await webchat.handle_frame(message.data, sender=sender, socket=socket)
            elif message.type == WSMsgType.ERROR:
                log.info("web chat %s: socket error %s", chat_id, socket.exception())
    finally:
        webchat.hub.detach(chat_id, socket)
    return socket


async def upload(request: web.Request) -> web.Response:
    """Receive one file from a page; any type, at most 10 MB. The bot decides what it accepts.

    Uploads are limited per chat and per client address (a new cookie is free), and one
    address may hold only so many bytes that no case has taken yet.
    """
    webchat = request.app[WEBCHAT_KEY]
    chat_id = _cookie_chat(request)
    if chat_id is None:
        raise web.HTTPForbidden(text="open the chat page first")
    address = client_address(request, trust_proxy=webchat.ctx.settings.trust_proxy)
    locale = await _page_locale(request, chat_id)
    i18n = webchat.ctx.i18n
    with i18n.context(), i18n.use_locale(locale):
        too_many = _("Too many files in a short time. Please wait a while.")
        if not await webchat.uploads.take(chat_id=chat_id, address=address):
            log.info("web chat %s: upload refused, too many from %s", chat_id, address)
            return web.json_response({"error": too_many}, status=429)
        nothing = web.json_response({"error": _("No file was received.")}, status=400)
        try:
            reader = await request.multipart()
            field = await reader.next()
        except MALFORMED_BODY:
            field = None
        if not isinstance(field, BodyPartReader) or field.name != "file":
            return nothing
        data = bytearray()
        try:
            while chunk := await field.read_chunk(64 * 1024):
                data.extend(chunk)
                if len(data) > MAX_UPLOAD_BYTES:
                    too_large = _("The file is larger than 10 MB.")
                    return web.json_response({"error": too_large}, status=413)
        except MALFORMED_BODY:
            return nothing
        if not data:
            return web.json_response({"error": _("The file is empty.")}, status=400)
        pending = await webchat.store.pending_bytes(address)
        if pending + len(data) > webchat.pending_bytes_cap:
            log.info("web chat %s: upload refused, %s holds %s bytes", chat_id, address, pending)
            return web.json_response({"error": too_many}, status=429)
        content = bytes(data)
        stored = webchat.media.describe(content, name=field.filename or "file")
        # The row first: bytes on disk without one are removed by the cleanup job.
        await webchat.store.hold(
            stored, chat_id=chat_id, kind=FileKind.UPLOAD, client_address=address
        )
        await asyncio.to_thread(webchat.media.write, content, stored)
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
    if (
        not is_decimal(raw_chat)
        or len(raw_chat) > 19
        or not webchat.media.allowed(file_id, int(raw_chat), token)
    ):
        raise web.HTTPForbidden()
    # The chat must still hold the file: erased, expired or cleaned up means gone.
    name = await webchat.store.held_name(int(raw_chat), file_id)
    if name is None:
        raise web.HTTPNotFound()
    stored = webchat.media.get(file_id)
    path = webchat.media.path(file_id)
    if stored is None or path is None:
        raise web.HTTPNotFound()
    head = await asyncio.to_thread(_head, path)
    served = download(name, sniffed=stored.mime_type, data_head=head)
    headers = {
        "Content-Type": served.content_type,
        "Content-Disposition": served.disposition,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=86400",
    }
    if served.content_type != "application/pdf":
        # Whatever a browser still renders from here runs no script and reads no cookie; a
        # PDF is left out, as Chromium refuses to show a PDF in a sandboxed document.
        headers["Content-Security-Policy"] = "sandbox"
    return web.FileResponse(path, headers=headers)


def _head(path: Path) -> bytes:
    """The first bytes of a file, enough to tell whether text in it is UTF-8."""
    with path.open("rb") as handle:
        return handle.read(TEXT_SNIFF_BYTES)
