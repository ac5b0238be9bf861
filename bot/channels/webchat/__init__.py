"""The local web chat: a phone-style page over a WebSocket, feeding the one Dispatcher."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.app import AppContext
from bot.channels.capabilities import web_chat
from bot.channels.webchat.chrome import page_chrome
from bot.channels.webchat.frames import FrameError, Sender, build_update
from bot.channels.webchat.hub import WebChatHub
from bot.channels.webchat.identity import CookieSigner, Persona
from bot.channels.webchat.links import fresh_links
from bot.channels.webchat.media import MediaStore
from bot.channels.webchat.quota import UploadQuota
from bot.channels.webchat.session import WEB_BOT_TOKEN, WebChatSession
from bot.channels.webchat.store import WebChatStore
from bot.rate_limits import rate_limit_storage
from bot.settings import Settings
from services.accounts.identities import locale_from_language_code
from services.accounts.invite_sources import InviteSource, address_source
from services.accounts.invites import source_ledger
from services.demo.cases import DEMO_DEPARTMENT_CHAT_ID
from services.demo.data import DEMO_MEMBER_CHAT_ID, DEMO_STAFF_CHAT_ID
from services.translation import N_

log = logging.getLogger(__name__)

SIGNING_KEY_FILE = "web_signing.key"
# Workflow data key: the page's own message, stored once the update passed the flood check.
SHOWN_KEY = "webchat_shown"


def web_secret(settings: Settings) -> bytes:
    """The key that signs cookies and file URLs: configured, or made once and kept on disk."""
    if settings.cookie_secret is not None:
        return settings.cookie_secret.get_secret_value().encode()
    path = Path(settings.data_dir) / SIGNING_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{secrets.token_hex(6)}.part")
        partial.write_text(secrets.token_hex(32), encoding="utf-8")
        partial.chmod(0o600)
        try:
            # A link fails where the key exists: of workers starting at once, the first wins.
            os.link(partial, path)
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path.read_text(encoding="utf-8").strip().encode()


class WebChat:
    """The web chat channel: its Bot, the connected pages, the files, the personas."""

    def __init__(self, ctx: AppContext, dp: Dispatcher) -> None:
        self.ctx = ctx
        self.dp = dp
        secret = web_secret(ctx.settings)
        self.hub = WebChatHub(ctx.bus)
        # What a worker's pages missed while the bus was away, they draw again from the database.
        ctx.bus.on_reconnect(self.redraw)
        self.media = MediaStore(Path(ctx.settings.upload_dir), secret)
        # File links expire by the bot's clock, the one tests and rehearsals move.
        self.media.clock = ctx.clock
        # Uploads and wrong invitation codes share one storage of rate windows.
        limits_storage = rate_limit_storage(dp.storage)
        # Wrong invitation codes by client address: a new cookie is a new chat, not a new person.
        self.invite_sources = source_ledger(limits_storage)
        self.signer = CookieSigner(secret)
        settings = ctx.settings
        self.store = WebChatStore(
            ctx.db,
            ctx.clock,
            history_length=settings.webchat_history_length,
            shared_counter=ctx.cluster.next_number if ctx.cluster.several else None,
        )
        self.uploads = UploadQuota(
            per_chat=settings.webchat_uploads_per_hour,
            per_address=settings.webchat_uploads_per_address_hour,
            storage=limits_storage,
        )
        self.pending_bytes_cap = settings.webchat_address_pending_mb * 1024 * 1024
        self.session = WebChatSession(
            self.hub,
            self.media,
            self.store,
            ctx.clock.now,
            export_lifetime=dt.timedelta(hours=settings.webchat_export_hours),
        )
        self.bot = Bot(
            WEB_BOT_TOKEN, session=self.session, default=DefaultBotProperties(parse_mode="HTML")
        )
        ctx.register_channel(self.bot.id, web_chat(self.session, settings.public_url, page=self))
        # Registered after the dispatcher's own: a flooding chat's messages are never stored.
        dp.update.outer_middleware(self._keep_shown)
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

    async def relabel(self, chat_id: int, locale: str) -> None:
        """The chat chose another language: its open pages' own words follow at once."""
        chrome = page_chrome(self.ctx.i18n, locale, self.personas)
        await self.hub.push(chat_id, {"type": "chrome", **chrome})

    async def handle_frame(
        self, raw: str, *, sender: Sender, socket: web.WebSocketResponse
    ) -> None:
        """Turn one frame into an Update and feed it; tell the page when a frame is refused."""
        try:
            frame: Any = json.loads(raw)
        except ValueError:
            frame = None
        message_id = await self.store.next_message_id()
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
        file_id = _file_of(update)
        if file_id is not None and not await self._uploaded(sender, file_id):
            log.info("web chat %s: frame refused (not its file)", sender.chat_id)
            text = self._frame_error(FrameError("unknown_file"), sender)
            await socket.send_json({"type": "error", "text": text})
            return
        if update.callback_query is not None:
            self.hub.remember_callback(update.callback_query.id, sender.chat_id)
        try:
            await self.dp.feed_update(
                self.bot,
                update,
                invite_source=self._source(sender),
                **{SHOWN_KEY: (sender.chat_id, shown) if shown else None},
            )
        finally:
            self.session.update_done(sender.chat_id)

    async def _keep_shown(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Store the page's own message in its history, now that the update is let through."""
        shown = data.get(SHOWN_KEY)
        if shown is not None and data.get("bot") is self.bot:
            chat_id, frame = shown
            await self.store.record(chat_id, frame)
        return await handler(event, data)

    async def _uploaded(self, sender: Sender, file_id: str) -> bool:
        """Whether the page's browser uploaded the file, as itself or as its demo persona."""
        for owner in {sender.chat_id, sender.browser_chat_id}:
            if owner is not None and await self.store.uploaded_by(owner, file_id):
                return True
        return False

    def _source(self, sender: Sender) -> InviteSource | None:
        key = address_source(sender.address)
        return InviteSource(f"web:{key}", self.invite_sources) if key is not None else None

    def _frame_error(self, error: FrameError, sender: Sender) -> str:
        i18n = self.ctx.i18n
        locale = locale_from_language_code(sender.language_code) or i18n.default_locale
        with i18n.context(), i18n.use_locale(locale):
            if error.code == "too_long":
                return _("That message is too long; at most 4096 characters can be sent at once.")
            if error.code == "unknown_file":
                return _("That file is no longer here. Please attach it again.")
            return _("That message could not be read. Please try again.")

    async def history(self, chat_id: int) -> list[dict[str, Any]]:
        """What a page of the chat draws when it opens."""
        return await self.store.history(chat_id)

    async def redraw(self) -> None:
        """Draw every page open on this worker again from its chat's history."""
        for chat_id in self.hub.open_chats():
            events = fresh_links(await self.history(chat_id), self.media, chat_id)
            await self.hub.deliver(chat_id, {"type": "history", "events": events})

    async def close(self) -> None:
        """Close every open page."""
        for socket in self.hub.all_sockets():
            await socket.close()


def _file_of(update: Update) -> str | None:
    """The web file a page's message carries, if any."""
    message = update.message
    if message is None:
        return None
    if message.photo:
        return message.photo[-1].file_id
    if message.document is not None:
        return message.document.file_id
    return None
