"""Periodic jobs only (APScheduler 3, in memory); what must not be lost lives in the database."""

from __future__ import annotations

import logging

from bot.app import AppContext
from bot.broadcast_monitor import EVERY_SECONDS, BroadcastMonitor
from bot.channels.webchat.cleanup import clean_up_web_files
from bot.delivery import DeliveryWorker
from bot.finishing_scheduler import FinishingScheduler
from bot.hotspot_job import monthly_hotspots_job
from bot.planner import Planner
from services.chats.updates import prune_processed_updates
from services.clock import SystemClock

log = logging.getLogger(__name__)

# However fast a simulation's clock runs, a job leaves this much real time between two runs.
FASTEST_SECONDS = 0.2
# The most of the worker's time one job takes when it runs long (see FinishingScheduler).
JOB_SHARE = 0.2


def every(ctx: AppContext, seconds: float) -> float:
    """Real seconds between two runs of a job due every ``seconds`` of the bot's time.

    With a faster clock (``LIAISON_CLOCK_SPEED``) the planner still runs about once a
    minute of the bot's time, as far as the machine keeps up.
    """
    return max(seconds / ctx.settings.clock_speed, min(seconds, FASTEST_SECONDS))


async def prune_updates_job(ctx: AppContext) -> None:
    """Forget old processed update ids."""
    async with ctx.db.session() as session:
        removed = await prune_processed_updates(session, now=ctx.clock.now())
    if removed:
        log.info("forgot %s old update ids", removed)


async def webchat_cleanup_job(ctx: AppContext) -> None:
    """Delete the web chat's expired and unclaimed files."""
    await clean_up_web_files(ctx)


def build_scheduler(ctx: AppContext, worker: DeliveryWorker) -> FinishingScheduler:
    """The scheduler with every periodic job of the bot."""
    scheduler = FinishingScheduler(share=JOB_SHARE, timezone=ctx.settings.tz)
    # Rows queued by other processes (the CLI, a second bot) are picked up within seconds.
    scheduler.add_job(
        worker.wake, "interval", seconds=5, id="delivery-tick", coalesce=True, max_instances=1
    )
    planner = Planner(ctx, ctx.settings.reminders)
    scheduler.add_job(
        planner.every_minute,
        "interval",
        seconds=every(ctx, 60),
        id="planner",
        coalesce=True,
        max_instances=1,
    )
    # Hourly rather than daily: a morning missed while the bot was down is caught up.
    scheduler.add_job(
        planner.quarter_checks,
        "interval",
        seconds=every(ctx, 3600),
        id="quarter-checks",
        coalesce=True,
        max_instances=1,
        # APScheduler keeps wall-clock time, whatever clock the domain reads.
        next_run_time=SystemClock().now(),
    )
    monitor = BroadcastMonitor.for_worker(ctx, worker)
    scheduler.add_job(
        monitor.tick,
        "interval",
        seconds=EVERY_SECONDS,
        id="broadcast-monitor",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        prune_updates_job,
        "interval",
        seconds=every(ctx, 3600),
        args=[ctx],
        id="prune-updates",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        monthly_hotspots_job,
        "interval",
        seconds=every(ctx, 3600),
        args=[ctx],
        id="monthly-hotspots",
        coalesce=True,
        max_instances=1,
    )
    if ctx.settings.web_enabled:
        # Expired /mydata files and uploads no case took; at start too, for what a stop left.
        scheduler.add_job(
            webchat_cleanup_job,
            "interval",
            minutes=15,
            args=[ctx],
            id="webchat-cleanup",
            coalesce=True,
            max_instances=1,
            next_run_time=SystemClock().now(),
        )
    return scheduler
