"""The local web chat: a phone-style page over a WebSocket, feeding the one Dispatcher."""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.app import AppContext
from bot.channels.webchat.frames import FrameError, Sender, build_update
from bot.channels.webchat.hub import WebChatHub
from bot.channels.webchat.identity import CookieSigner, Persona
from bot.channels.webchat.media import MediaStore
from bot.channels.webchat.session import WEB_BOT_TOKEN, WebChatSession
from bot.settings import Settings
from handlers.texts import N_
from services.demo_cases import DEMO_DEPARTMENT_CHAT_ID
from services.demo_data import DEMO_MEMBER_CHAT_ID, DEMO_STAFF_CHAT_ID
from services.identities import locale_from_language_code

log = logging.getLogger(__name__)

SIGNING_KEY_FILE = "web_signing.key"


def web_secret(settings: Settings) -> bytes:
    """The key that signs cookies and file URLs: configured, or made once and kept on disk."""
    if settings.cookie_secret is not None:
        return settings.cookie_secret.get_secret_value().encode()
    path = Path(settings.data_dir) / SIGNING_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(secrets.token_hex(32), encoding="utf-8")
        partial.chmod(0o600)
        partial.replace(path)
    return path.read_text(encoding="utf-8").strip().encode()


class WebChat:
    """The web chat channel: its Bot, the connected pages, the files, the personas."""

    def __init__(self, ctx: AppContext, dp: Dispatcher) -> None:
        self.ctx = ctx
        self.dp = dp
        secret = web_secret(ctx.settings)
        self.hub = WebChatHub()
        self.media = MediaStore(Path(ctx.settings.upload_dir), secret)
        self.signer = CookieSigner(secret)
        self.bot = Bot(
            WEB_BOT_TOKEN,
            session=WebChatSession(self.hub, self.media, ctx.clock.now),
            default=DefaultBotProperties(parse_mode="HTML"),
        )
        ctx.channels[self.bot.id] = "web"
        self.personas: list[Persona] = [Persona(key="resident", label=N_("Resident"))]
        if ctx.settings.demo:
            self.personas += [
                Persona(key="member", label=N_("Member (demo)"), chat_id=DEMO_MEMBER_CHAT_ID),
                Persona(key="staff", label=N_("Staff (demo)"), chat_id=DEMO_STAFF_CHAT_ID),
                Persona(
                    key="department",
                    label=N_("Department (demo)"),
                    chat_id=DEMO_DEPARTMENT_CHAT_ID,
                ),
            ]

    def chat_for(self, cookie_chat_id: int, persona_key: str | None) -> tuple[int, Persona]:
        """The chat a page talks as: its own, or in demo mode a chosen persona's."""
        default = self.personas[0]
        if not self.ctx.settings.demo or not persona_key:
            return cookie_chat_id, default
        for persona in self.personas:
            if persona.key == persona_key:
                return (persona.chat_id or cookie_chat_id), persona
        return cookie_chat_id, default

    async def handle_frame(
        self, raw: str, *, sender: Sender, socket: web.WebSocketResponse
    ) -> None:
        """Turn one frame into an Update and feed it; tell the page when a frame is refused."""
        try:
            frame: Any = json.loads(raw)
        except ValueError:
            frame = None
        message_id = self.hub.next_message_id()
        try:
            update, shown = build_update(
                frame,
                sender=sender,
                message_id=message_id,
                now=self.ctx.clock.now(),
                media=self.media,
            )
        except FrameError as error:
            log.info("web chat %s: frame refused (%s)", sender.chat_id, error.code)
            await socket.send_json({"type": "error", "text": self._frame_error(error, sender)})
            return
        if update.callback_query is not None:
            self.hub.remember_callback(update.callback_query.id, sender.chat_id)
        if shown:
            self.hub.record(sender.chat_id, shown)
        await self.dp.feed_update(self.bot, update)

    def _frame_error(self, error: FrameError, sender: Sender) -> str:
        i18n = self.ctx.i18n
        locale = locale_from_language_code(sender.language_code) or i18n.default_locale
        with i18n.context(), i18n.use_locale(locale):
            if error.code == "too_long":
                return _("That message is too long; at most 4096 characters can be sent at once.")
            if error.code == "unknown_file":
                return _("That file is no longer here. Please attach it again.")
            return _("That message could not be read. Please try again.")

    async def close(self) -> None:
        """Close every open page."""
        for socket in self.hub.all_sockets():
            await socket.close()
