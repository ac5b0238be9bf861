"""``/stations/<id>``: a liaison station's public page, open to anyone.

Its upcoming open sessions and who is on duty today, in the visitor's language (chosen as
for the handling list: ``?lang=``, else the browser's preference, else Chinese).
"""

from __future__ import annotations

from aiohttp import web

from bot.app import AppContext
from bot.handling_routes import page_locale
from services.reference.catalog import get_station
from services.reports.station_page import STATION_PATH, render_station_page
from services.stations.board import station_board
from services.translation import translated

STATION_CONTEXT = web.AppKey("station_context", AppContext)


async def station_page(request: web.Request) -> web.Response:
    """Serve one active station's page; anything else is not found."""
    ctx = request.app[STATION_CONTEXT]
    raw = request.match_info["station_id"]
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise web.HTTPNotFound
    locale = page_locale(
        request.query.get("lang", ""),
        request.headers.get("Accept-Language", ""),
        set(ctx.i18n.available_locales),
    )
    tz = ctx.settings.tz
    with translated(ctx.i18n.locales.get(locale)):
        async with ctx.db.session() as session:
            station = await get_station(session, int(raw))
            if station is None or station.id is None or not station.active:
                raise web.HTTPNotFound
            board = await station_board(session, station_id=station.id, now=ctx.clock.now(), tz=tz)
        html = render_station_page(station, board, locale=locale, tz=tz)
    return web.Response(
        text=html,
        content_type="text/html",
        headers={"Cache-Control": "public, max-age=300", "Content-Language": locale},
    )


def setup_station_routes(app: web.Application, ctx: AppContext) -> None:
    """Register the stations' pages on the server."""
    app[STATION_CONTEXT] = ctx
    app.router.add_get(STATION_PATH, station_page)
