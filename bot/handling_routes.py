"""``/handling``: the published handling list of proposals, open to anyone.

The station card links here (:func:`services.reports.handling_page.handling_link`). The page is in
the visitor's language: ``?lang=`` first, else the browser's ``Accept-Language`` when it
prefers English to Chinese, else Chinese. ``?year=`` picks the year; the committee's current
year otherwise.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.app import AppContext
from services.reports.handling_page import (
    HANDLING_PATH,
    public_proposals,
    published_years,
    render,
)
from services.translation import translated

log = logging.getLogger(__name__)
HANDLING_CONTEXT = web.AppKey("handling_context", AppContext)
DEFAULT_LOCALE = "zh_CN"


def page_locale(wanted: str, accept_language: str, available: set[str] | frozenset[str]) -> str:
    """``wanted`` when it is a language of ours; else the browser's first zh or en; else zh_CN.

    ``Accept-Language`` lists tags with optional weights (``en-GB,en;q=0.9,zh;q=0.5``); the
    highest-weighted tag that is Chinese or English decides.
    """
    if wanted in available:
        return wanted
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-weight, index, tag.strip().lower()))
    for _weight, _index, tag in sorted(ranked):
        if tag.startswith("zh"):
            return DEFAULT_LOCALE
        if tag.startswith("en") and "en" in available:
            return "en"
    return DEFAULT_LOCALE


async def handling_page(request: web.Request) -> web.Response:
    """Serve the year's published handling list."""
    ctx = request.app[HANDLING_CONTEXT]
    available = set(ctx.i18n.available_locales)
    locale = page_locale(
        request.query.get("lang", ""), request.headers.get("Accept-Language", ""), available
    )
    asked = request.query.get("year", "")
    if asked.isascii() and asked.isdigit() and len(asked) == 4:
        year = int(asked)
    else:
        year = ctx.clock.now().astimezone(ctx.settings.tz).year
    with translated(ctx.i18n.locales.get(locale)):
        async with ctx.db.session() as session:
            proposals = await public_proposals(session, year=year)
            years = await published_years(session)
        html = render(proposals, year=year, years=years, locale=locale)
    return web.Response(
        text=html,
        content_type="text/html",
        headers={"Cache-Control": "public, max-age=300", "Content-Language": locale},
    )


def setup_handling_routes(app: web.Application, ctx: AppContext) -> None:
    """Register ``/handling`` on the server."""
    app[HANDLING_CONTEXT] = ctx
    app.router.add_get(HANDLING_PATH, handling_page)
