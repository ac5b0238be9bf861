"""Telegram: long polling by default, a webhook (secret checked) when a public URL is set.

Either way an update is acknowledged only once it is stored in the update inbox
(bot/inbox.py): the webhook answers 200 after the commit, and polling asks for the next batch,
which confirms the previous one, only after that batch is committed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import GetUpdates
from aiogram.types import BotCommand
from aiogram.utils.backoff import Backoff, BackoffConfig
from aiogram.utils.i18n import gettext as _
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.app import AppContext
from bot.channels.answer_retry import retry_answers
from bot.channels.capabilities import TELEGRAM
from bot.channels.raw_updates import MalformedUpdateError, dump_update, parse_update
from bot.channels.shared_rate import FREE_RATE, share_rate
from bot.cluster import RedisCluster, inbox_options
from bot.inbox import UpdateInbox

log = logging.getLogger(__name__)

WEBHOOK_AUTH_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; anything far larger is not one.
MAX_UPDATE_BYTES = 1024 * 1024
POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits for updates
POLL_BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)


def bot_commands() -> list[BotCommand]:
    """The command menu, in the current language."""
    return [
        BotCommand(command="start", description=_("Main menu")),
        BotCommand(command="report", description=_("Report an issue")),
        BotCommand(command="myissues", description=_("My issues")),
        BotCommand(command="mydata", description=_("A copy of my data")),
        BotCommand(command="forget", description=_("Erase my data")),
        BotCommand(command="stations", description=_("Liaison stations")),
        BotCommand(command="suggest", description=_("Suggest a consultation topic")),
        BotCommand(command="plan", description=_("The year's consultation plan")),
        BotCommand(command="language", description=_("中文 / English")),
        BotCommand(command="help", description=_("Help")),
        BotCommand(command="cancel", description=_("Stop the report being written")),
    ]


class TelegramChannel:
    """The Telegram Bot, fed by polling or by the webhook route of the web server."""

    def __init__(self, ctx: AppContext, dp: Dispatcher) -> None:
        settings = ctx.settings
        if settings.telegram_token is None:
            raise ValueError("LIAISON_TELEGRAM_TOKEN is not set")
        self.ctx = ctx
        self.dp = dp
        self.token = settings.telegram_token.get_secret_value()
        self.bot = Bot(
            self.token,
            session=AiohttpSession(api=settings.telegram_api),
            default=DefaultBotProperties(parse_mode="HTML"),
        )
        ctx.register_channel(self.bot.id, TELEGRAM)
        retry_answers(self.bot)
        if isinstance(ctx.cluster, RedisCluster):
            # Telegram counts the bot, not the worker: every worker paces on one schedule.
            cap = max(settings.delivery_rate, FREE_RATE) if settings.paid_broadcast else FREE_RATE
            share_rate(self.bot, ctx.cluster.redis, rate=cap)
        self.inbox = UpdateInbox(
            ctx.db,
            ctx.clock,
            dp,
            self.bot,
            max_in_flight=settings.max_concurrent_updates * 32,
            **inbox_options(ctx.cluster),
        )
        self._polling: asyncio.Task[None] | None = None

    @property
    def webhook_mode(self) -> bool:
        """Whether updates arrive by webhook rather than polling."""
        return bool(self.ctx.settings.webhook_url)

    @property
    def webhook_secret(self) -> str:
        """The secret Telegram echoes on every webhook call; stable across restarts."""
        if self.ctx.settings.webhook_secret is not None:
            return self.ctx.settings.webhook_secret.get_secret_value()
        return hashlib.sha256(f"webhook:{self.token}".encode()).hexdigest()[:48]

    def add_webhook_route(self, app: web.Application) -> None:
        """Serve the webhook on the shared web server."""
        app.router.add_post(self.ctx.settings.webhook_path, self.on_webhook)

    async def on_webhook(self, request: web.Request) -> web.Response:
        """Store one update, then answer 200; refuse with a 4xx whatever is not one.

        401 without the secret, 413 past the size limit, 400 for anything but an update.
        """
        given = request.headers.get(WEBHOOK_AUTH_HEADER, "").encode(errors="replace")
        if not hmac.compare_digest(given, self.webhook_secret.encode()):
            return web.Response(status=401, text="wrong secret token")
        if (request.content_length or 0) > MAX_UPDATE_BYTES:
            return web.Response(status=413, text="too large for an update")
        body = await request.read()  # a chunked body is capped by the app's client_max_size
        if len(body) > MAX_UPDATE_BYTES:
            return web.Response(status=413, text="too large for an update")
        try:
            update, payload = parse_update(body, self.bot)
        except MalformedUpdateError as error:
            log.info("webhook request refused: %s", error)
            return web.Response(status=400, text=f"malformed update: {error}")
        try:
            await self.inbox.put([(update.update_id, payload)])
        except (SQLAlchemyError, OSError):
            # Not acknowledged, so Telegram sends it again later.
            log.exception("update %s could not be stored", update.update_id)
            return web.Response(status=503, text="try again later")
        return web.json_response({})

    async def start(self) -> None:
        """Handle what the inbox kept, publish the menu, and register the webhook if one is set.

        Polling is started apart (:meth:`start_polling`): of several workers only the leader
        polls, since Telegram answers a second poller with a conflict.
        """
        self.inbox.start()
        await self._set_commands()
        if self.webhook_mode:
            await self.bot.set_webhook(
                url=str(self.ctx.settings.webhook_url),
                secret_token=self.webhook_secret,
                allowed_updates=self.dp.resolve_used_update_types(),
                drop_pending_updates=False,
            )
            log.info("Telegram webhook set to %s", self.ctx.settings.webhook_url)

    async def start_polling(self) -> None:
        """Poll for updates, unless they arrive by webhook."""
        if self.webhook_mode or self._polling is not None:
            return
        await self.bot.delete_webhook(drop_pending_updates=False)
        allowed = self.dp.resolve_used_update_types()
        self._polling = asyncio.create_task(self._poll(allowed), name="telegram-polling")
        log.info("Telegram long polling started")

    async def stop_polling(self) -> None:
        """Stop polling; the batch in flight is not confirmed, so the next poll gets it again."""
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
            self._polling = None

    async def _poll(self, allowed: list[str]) -> None:
        """Long polling whose offset moves past a batch only once the inbox holds it."""
        request = GetUpdates(timeout=POLL_TIMEOUT, allowed_updates=allowed)
        # The request must outlive the long poll, or every quiet poll would end in a timeout.
        request_timeout = int(self.bot.session.timeout + POLL_TIMEOUT)
        backoff = Backoff(config=POLL_BACKOFF)
        while True:
            try:
                updates = await self.bot(request, request_timeout=request_timeout)
                await self.inbox.put(
                    [(update.update_id, dump_update(update)) for update in updates]
                )
            except Exception as error:
                # Telegram unreachable, a 5xx, the database busy: the same batch is asked
                # for again, since its offset was not moved.
                log.error("getUpdates failed, retrying in %.1fs: %r", backoff.next_delay, error)
                await backoff.asleep()
                continue
            backoff.reset()
            if updates:
                request.offset = updates[-1].update_id + 1

    async def _set_commands(self) -> None:
        i18n = self.ctx.i18n
        for locale, language_code in (("zh_CN", "zh"), ("en", "en"), (i18n.default_locale, None)):
            with i18n.context(), i18n.use_locale(locale):
                await self.bot.set_my_commands(bot_commands(), language_code=language_code)

    async def stop(self) -> None:
        """Stop polling, let the updates being handled finish, close the HTTP session."""
        await self.stop_polling()
        await self.inbox.stop()
        await self.bot.session.close()
