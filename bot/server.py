"""The one aiohttp server: the web chat, the Telegram webhook, the WeChat and WeCom callbacks."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.app import AppContext
from bot.archive_routes import setup_archive_routes
from bot.channels.telegram import TelegramChannel
from bot.channels.webchat import WebChat
from bot.channels.webchat.media import MAX_UPLOAD_BYTES
from bot.channels.webchat.routes import setup_routes
from bot.channels.wechat import WeChatChannel
from bot.channels.wecom import WeComChannel
from bot.handling_routes import setup_handling_routes
from bot.plan_routes import setup_plan_routes
from bot.station_routes import setup_station_routes

ACCESS_LOG = logging.getLogger("aiohttp.access")


class AccessLog(AbstractAccessLogger):
    """One line a request, with the query string left out.

    Queries carry secrets: signed file links (``?c=...&t=...``) and invitation codes
    (``/?start=inv-...``). The referrer is left out for the same reason.
    """

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write the line: client, method, path (query redacted), status, size, duration."""
        path = request.path + ("?[redacted]" if request.query_string else "")
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.3fs "%s"',
            request.remote or "-",
            request.method,
            path,
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
            request.headers.get("User-Agent", "-"),
        )


async def health(_request: web.Request) -> web.Response:
    """For load balancers and the operator's curl."""
    return web.json_response({"status": "ok"})


def build_web_app(
    *,
    webchat: WebChat | None = None,
    telegram: TelegramChannel | None = None,
    wecom: WeComChannel | None = None,
    archive: AppContext | None = None,
    wechat: WeChatChannel | None = None,
) -> web.Application:
    """Assemble the server for the enabled channels (and the archive, the handling list)."""
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
    app.router.add_get("/healthz", health)
    if archive is not None:
        setup_archive_routes(app, archive)
        setup_handling_routes(app, archive)
        setup_plan_routes(app, archive)
        setup_station_routes(app, archive)
    if webchat is not None:
        setup_routes(app, webchat)
    if telegram is not None and telegram.webhook_mode:
        telegram.add_webhook_route(app)
    if wechat is not None:
        wechat.add_routes(app)
    if wecom is not None:
        wecom.add_routes(app)
    return app


def web_runner(app: web.Application) -> web.AppRunner:
    """The runner that serves ``app``, logging requests without their secrets."""
    return web.AppRunner(app, access_log_class=AccessLog, access_log=ACCESS_LOG)
