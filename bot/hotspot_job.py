"""The monthly hotspot run, as a periodic job: the month just ended, once.

The job runs hourly and does nothing once the month has its run (``run_month`` with
``replace=False`` returns the stored run), so a bot that was down on the 1st catches up, and
two bots cannot store two runs of one month (``hotspot_run.month`` is unique).
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from bot.app import AppContext
from services.audit import Actor
from services.hotspots.engine import run_month
from services.hotspots.months import month_of, previous_month
from services.hotspots.staff_view import run_of

log = logging.getLogger(__name__)


async def monthly_hotspots_job(ctx: AppContext) -> None:
    """Find the hotspots of the month just ended, unless that month already ran."""
    now = ctx.clock.now()
    month = previous_month(month_of(now, ctx.settings.tz))
    async with ctx.db.session() as session:
        if await run_of(session, month=month) is not None:
            return
    try:
        async with ctx.db.writing() as session:
            run = await run_month(
                session, month=month, tz=ctx.settings.tz, now=now, actor=Actor("system")
            )
    except IntegrityError:  # another process stored the month first
        log.info("hotspots of %s were stored by another process", month)
        return
    log.info("hotspots of %s: %s found", month, run.hotspots)
