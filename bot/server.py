"""The one aiohttp server: the web chat, the Telegram webhook and a health check."""

from __future__ import annotations

from aiohttp import web

from bot.channels.telegram import TelegramChannel
from bot.channels.webchat import WebChat
from bot.channels.webchat.media import MAX_UPLOAD_BYTES
from bot.channels.webchat.routes import setup_routes


async def health(_request: web.Request) -> web.Response:
    """For load balancers and the operator's curl."""
    return web.json_response({"status": "ok"})


def build_web_app(
    *, webchat: WebChat | None = None, telegram: TelegramChannel | None = None
) -> web.Application:
    """Assemble the server for whatever channels are enabled."""
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
    app.router.add_get("/healthz", health)
    if webchat is not None:
        setup_routes(app, webchat)
    if telegram is not None and telegram.webhook_mode:
        telegram.add_webhook_route(app)
    return app
