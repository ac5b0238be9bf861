"""Telegram: long polling by default, a webhook (secret checked) when a public URL is set."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.types import BotCommand
from aiogram.utils.i18n import gettext as _
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.app import AppContext

log = logging.getLogger(__name__)


def bot_commands() -> list[BotCommand]:
    """The command menu, in the current language."""
    return [
        BotCommand(command="start", description=_("Main menu")),
        BotCommand(command="report", description=_("Report an issue")),
        BotCommand(command="myissues", description=_("My issues")),
        BotCommand(command="mydata", description=_("A copy of my data")),
        BotCommand(command="forget", description=_("Erase my data")),
        BotCommand(command="stations", description=_("Liaison stations")),
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
        ctx.channels[self.bot.id] = "telegram"
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
        """Serve the webhook on the shared web server; calls without the secret get 401."""
        handler = SimpleRequestHandler(
            dispatcher=self.dp, bot=self.bot, secret_token=self.webhook_secret
        )
        handler.register(app, path=self.ctx.settings.webhook_path)

    async def start(self) -> None:
        """Publish the command menu, then register the webhook or start polling."""
        await self._set_commands()
        allowed = self.dp.resolve_used_update_types()
        if self.webhook_mode:
            await self.bot.set_webhook(
                url=str(self.ctx.settings.webhook_url),
                secret_token=self.webhook_secret,
                allowed_updates=allowed,
                drop_pending_updates=False,
            )
            log.info("Telegram webhook set to %s", self.ctx.settings.webhook_url)
            return
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._polling = asyncio.create_task(
            self.dp.start_polling(
                self.bot, handle_signals=False, close_bot_session=False, allowed_updates=allowed
            )
        )
        log.info("Telegram long polling started")

    async def _set_commands(self) -> None:
        i18n = self.ctx.i18n
        for locale, language_code in (("zh_CN", "zh"), ("en", "en"), (i18n.default_locale, None)):
            with i18n.context(), i18n.use_locale(locale):
                await self.bot.set_my_commands(bot_commands(), language_code=language_code)

    async def stop(self) -> None:
        """Stop polling and close the HTTP session."""
        if self._polling is not None:
            try:
                await self.dp.stop_polling()
            except RuntimeError:
                log.debug("polling had already stopped")
            await asyncio.gather(self._polling, return_exceptions=True)
            self._polling = None
        await self.bot.session.close()
