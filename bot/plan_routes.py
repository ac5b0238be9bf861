"""``/plan/<year>``: the published consultation plan, open to anyone.

The station card links here (:func:`services.reports.plan_page.plan_link`). The language is
chosen as on the handling list (``?lang=``, else the browser's, else Chinese).
"""

from __future__ import annotations

from aiohttp import web

from bot.app import AppContext
from bot.handling_routes import page_locale
from services.meetings.invitations import MEETING_KINDS
from services.reports.plan_page import PLAN_PATH, form_names_of, public_plan, render_plan
from services.translation import translated

PLAN_CONTEXT = web.AppKey("plan_context", AppContext)


async def plan_page(request: web.Request) -> web.Response:
    """Serve a year's published plan."""
    ctx = request.app[PLAN_CONTEXT]
    asked = request.match_info.get("year", "")
    if not (asked.isascii() and asked.isdigit() and len(asked) == 4):
        raise web.HTTPNotFound()
    year = int(asked)
    available = set(ctx.i18n.available_locales)
    locale = page_locale(
        request.query.get("lang", ""), request.headers.get("Accept-Language", ""), available
    )
    kinds = [(kind.code, kind.name_zh, kind.name_en) for kind in MEETING_KINDS]
    with translated(ctx.i18n.locales.get(locale)):
        async with ctx.db.session() as session:
            plan = await public_plan(session, year=year)
        html = render_plan(plan, year=year, locale=locale, form_names=form_names_of(kinds, locale))
    return web.Response(
        text=html,
        content_type="text/html",
        headers={"Cache-Control": "public, max-age=300", "Content-Language": locale},
    )


def setup_plan_routes(app: web.Application, ctx: AppContext) -> None:
    """Register ``/plan/<year>`` on the server."""
    app[PLAN_CONTEXT] = ctx
    app.router.add_get(PLAN_PATH + "/{year}", plan_page)
