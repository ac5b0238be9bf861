"""The WeChat service account (residents): callbacks in, the passive reply and follow-ups out.

A callback is checked (signature; decrypted in secure mode), read, stored in the update inbox
with the window it opens, and only then answered: a crash after the answer loses nothing.
The answer waits for the update's handling up to the reply deadline, so the bot's answer goes
as the passive reply; past the deadline WeChat gets "success" and the answer follows as
customer-service messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.methods import SendMessage
from aiogram.types import Update
from aiohttp import web

from bot.app import AppContext
from bot.channels.capabilities import WECHAT
from bot.channels.wechat.api import WeChatApi
from bot.channels.wechat.callbacks import CallbackReader, Refused
from bot.channels.wechat.files import SignedFiles
from bot.channels.wechat.render import menu_link
from bot.channels.wechat.replies import MAX_FOLLOW_UPS, Piece, Reply, current_reply
from bot.channels.wechat.sending import CHANNEL
from bot.channels.wechat.session import WECHAT_BOT_TOKEN, WeChatSession
from bot.cluster import inbox_options
from bot.inbox import UpdateInbox
from services.chats.wechat import latest_card

log = logging.getLogger(__name__)
# Follow-ups wait this long for the passive reply to be written before them.
ANSWER_GRACE = 2.0


class WeChatChannel:
    """The service account's Bot, its callback route and its inbox."""

    # How long stopping waits for updates being handled; the rest are handled after a restart.
    stop_timeout = 10.0

    def __init__(self, ctx: AppContext, dp: Dispatcher) -> None:
        settings = ctx.settings
        if not settings.wechat_enabled:
            raise ValueError("LIAISON_WECHAT_APP_ID, _APP_SECRET and _TOKEN must be set")
        assert settings.wechat_app_id
        assert settings.wechat_app_secret
        assert settings.wechat_token
        self.ctx = ctx
        self.api = WeChatApi(
            settings.wechat_api_url,
            settings.wechat_app_id,
            settings.wechat_app_secret.get_secret_value(),
        )
        # Documents go as links to files this server keeps: WeChat has no file message.
        self.files = SignedFiles(
            settings.data_dir / "wechat-files",
            settings.web_url,
            settings.wechat_app_secret.get_secret_value().encode(),
            ctx.clock,
        )
        self.session = WeChatSession(
            ctx.db, ctx.clock, self.api, map_template=settings.map_url_template, files=self.files
        )
        self.bot = Bot(
            WECHAT_BOT_TOKEN, session=self.session, default=DefaultBotProperties(parse_mode="HTML")
        )
        ctx.register_channel(self.bot.id, WECHAT)
        self.inbox = UpdateInbox(
            ctx.db,
            ctx.clock,
            dp,
            self.bot,
            max_in_flight=settings.max_concurrent_updates * 32,
            around=self.handling,
            **inbox_options(ctx.cluster),
        )
        self.reader = CallbackReader(ctx, self.bot, self.inbox)
        self.deadline = settings.wechat_reply_deadline
        # Updates whose callback waits for their answer, by update id.
        self.waiting: dict[int, Reply] = {}

    def add_routes(self, app: web.Application) -> None:
        """Serve the callback URL and the files sent as links on the shared web server."""
        path = self.ctx.settings.wechat_path
        app.router.add_get(path, self.on_verify)
        app.router.add_post(path, self.on_callback)
        self.files.add_routes(app)

    async def on_verify(self, request: web.Request) -> web.Response:
        """The server address check: echo ``echostr`` when the signature is ours."""
        if not self.reader.signed(request.query):
            return web.Response(status=403, text="wrong signature")
        return web.Response(text=request.query.get("echostr", ""))

    async def on_callback(self, request: web.Request) -> web.StreamResponse:
        """Store what WeChat delivered, then answer with the bot's reply or "success"."""
        started = time.monotonic()
        outcome = await self.reader.receive(request, self.waiting)
        if isinstance(outcome, web.Response):
            return outcome
        if isinstance(outcome, Refused):
            return await self._respond(request, outcome.raw, [Piece(text=outcome.text)])
        raw, reply = outcome
        if reply is None:
            return web.Response(text="success")
        left = self.deadline - (time.monotonic() - started)
        try:
            async with asyncio.timeout(max(left, 0.0)):
                pieces = await asyncio.shield(reply.handled)
        except TimeoutError:
            if not reply.handled.done():
                reply.late = True
                self.waiting.pop(reply.update_id, None)
                return web.Response(text="success")
            # The answer came in the same moment as the deadline: it still goes passively.
            pieces = reply.handled.result()
        self.waiting.pop(reply.update_id, None)
        if not pieces:
            reply.answered.set()
            return web.Response(text="success")
        try:
            return await self._respond(request, raw, pieces[:1])
        finally:
            reply.answered.set()

    async def _respond(
        self, request: web.Request, raw: dict[str, Any], pieces: list[Piece]
    ) -> web.StreamResponse:
        response = web.Response(
            body=self.reader.passive_reply(request, raw, pieces[0]).encode(),
            content_type="application/xml",
        )
        await response.prepare(request)
        await response.write_eof()
        return response

    @asynccontextmanager
    async def handling(self, update: Update) -> AsyncIterator[None]:
        """Gather what the handlers say to the update's chat; send it when they are done."""
        chat_id = _chat_of(update)
        reply = self.waiting.get(update.update_id)
        if reply is None or reply.late or reply.handled.done():
            # Nobody waits (a restart, a late handling): everything goes as follow-ups.
            reply = Reply(chat_id=chat_id, update_id=update.update_id, late=True)
        token = current_reply.set(reply)
        try:
            yield
        finally:
            current_reply.reset(token)
            reply.closed = True
        if update.callback_query is not None and reply.toast and not reply.pieces:
            # A refused tap on an old message: the card that counts has scrolled away.
            card = await self._current_card(chat_id)
            if card:
                reply.add_text(card)
        await self._finish(reply)

    async def _current_card(self, chat_id: int) -> str:
        async with self.ctx.db.session() as session:
            found = await latest_card(session, channel=CHANNEL, chat_id=chat_id)
        if found is None:
            return ""
        text, options = found
        lines = "\n".join(menu_link(option.label, option.token) for option in options)
        return f"{text}\n\n{lines}" if text else lines

    async def _finish(self, reply: Reply) -> None:
        late = reply.late or reply.handled.done()
        # On time: the passive reply and two follow-ups; late: the two follow-ups alone.
        pieces = reply.finish(MAX_FOLLOW_UPS if late else 1 + MAX_FOLLOW_UPS)
        if not late:
            reply.handled.set_result(pieces)
            if not pieces:
                return
            try:
                async with asyncio.timeout(ANSWER_GRACE):
                    await reply.answered.wait()
            except TimeoutError:
                log.warning("wechat %s: the passive reply was not written", reply.chat_id)
            pieces = pieces[1:]
        for piece in pieces:
            try:
                method = SendMessage(chat_id=reply.chat_id, text=piece.text or "📷")
                await self.session.sender.send_now(method, reply.chat_id, piece, answer=True)
            except Exception as error:
                # The handlers are done; what could not go is logged, not retried.
                log.warning("wechat %s: an answer could not go: %r", reply.chat_id, error)

    async def send_template(
        self, chat_id: int, template_id: str, data: dict[str, str], *, url: str | None = None
    ) -> int:
        """A template message (``bot.channels.budget.TemplateSender``)."""
        return await self.session.sender.send_template(chat_id, template_id, data, url=url)

    async def start(self) -> None:
        """Handle what the inbox kept."""
        self.inbox.start()

    async def stop(self) -> None:
        """Let the updates being handled finish, close the API client."""
        await self.inbox.stop(timeout=self.stop_timeout)
        await self.bot.session.close()


def _chat_of(update: Update) -> int:
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    return 0
