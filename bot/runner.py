"""Start everything, run until a signal, stop everything in order."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

from aiohttp import web

from bot.app import AppContext, build_context, build_dispatcher
from bot.channels.telegram import TelegramChannel
from bot.channels.webchat import WebChat
from bot.channels.wechat import WeChatChannel
from bot.channels.wecom import WeComChannel
from bot.cluster import build_cluster
from bot.heap import settle_heap
from bot.leader_duties import LeaderDuties
from bot.leadership import Leadership
from bot.private_files import private_umask, tighten
from bot.server import build_web_app, web_runner
from bot.settings import Settings
from services.calendar import local_today
from services.clock import Clock
from services.demo.assessment import seed_demo_assessment
from services.demo.cases import (
    DEMO_DEPARTMENT_CHAT_ID,
    link_demo_department,
    seed_demo_cases,
)
from services.demo.consultation_guests import seed_demo_consultation
from services.demo.data import (
    DEMO_MEMBER_CHAT_ID,
    DEMO_ROSTER_PATH,
    DEMO_STAFF_CHAT_ID,
    link_demo_member,
    link_demo_staff,
    load_reference_data,
    read_demo_data,
)
from services.demo.guard import (
    NotADemoDatabaseError,
    claim_demo_database,
    require_demo_database,
)
from services.demo.hotline import seed_demo_hotline
from services.demo.outcomes import seed_demo_outcomes
from services.demo.pipeline_notices import settle_demo_notices
from services.demo.proceedings import seed_demo_proceedings
from services.demo.proposals import seed_demo_proposals
from services.demo.stations_work import seed_demo_station_work
from services.demo.topics import seed_demo_topics
from services.demo.wecom import seed_demo_wecom
from services.members.roster import import_roster
from services.members.roster_files import read_rows
from storage.db import Database
from storage.migrate import upgrade
from storage.search_terms import preload as preload_search_words

log = logging.getLogger(__name__)


def configure_logging(level: str) -> None:
    """Plain timestamped logs on stderr."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    # Every tick of the periodic jobs would otherwise be two lines of log.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def seed_reference_data(db: Database) -> dict[str, int]:
    """Load stations, sectors, categories and special committees; idempotent."""
    async with db.writing() as session:
        return await load_reference_data(session, read_demo_data())


async def seed_demo_data(ctx: AppContext) -> dict[str, int]:
    """The reference data, the demo roster, the personas' links and cases; idempotent.

    Only into the demo's own database: one holding anything the demo did not seed is
    refused (``NotADemoDatabaseError``) before a row is written.
    """
    db, settings, notifier = ctx.db, ctx.settings, ctx.notifier
    now = ctx.clock.now()
    async with db.session() as session:
        await claim_demo_database(session, now=now)
    counts = await seed_reference_data(db)
    async with db.session() as session:
        report = await import_roster(
            session,
            read_rows(DEMO_ROSTER_PATH),
            now=now,
            rules=ctx.rulebook.for_year(local_today(now, settings.tz).year),
        )
        await link_demo_member(session, channel="web", chat_id=DEMO_MEMBER_CHAT_ID, now=now)
        await link_demo_staff(session, channel="web", chat_id=DEMO_STAFF_CHAT_ID, now=now)
        await link_demo_department(session, channel="web", chat_id=DEMO_DEPARTMENT_CHAT_ID, now=now)
        counts["cases"] = await seed_demo_cases(
            session, channel="web", now=now, tz=settings.tz, notifier=notifier
        )
        counts["outcomes"] = await seed_demo_outcomes(
            session, now=now, tz=settings.tz, rulebook=ctx.rulebook, notifier=notifier
        )
        counts["proceedings"] = await seed_demo_proceedings(
            session, now=now, tz=settings.tz, rulebook=ctx.rulebook
        )
        counts.update(
            await seed_demo_assessment(
                session, now=now, tz=settings.tz, rulebook=ctx.rulebook, notifier=notifier
            )
        )
        counts["proposals"] = await seed_demo_proposals(
            session, now=now, tz=settings.tz, rulebook=ctx.rulebook, notifier=notifier
        )
        counts["hotline"] = await seed_demo_hotline(session, now=now, tz=settings.tz)
        counts["topics"] = await seed_demo_topics(
            session, now=now, tz=settings.tz, rulebook=ctx.rulebook, notifier=notifier
        )
        counts["consultation_guests"] = await seed_demo_consultation(
            session, now=now, tz=settings.tz, files_dir=settings.files_dir, notifier=notifier
        )
        counts["duty_turns"] = await seed_demo_station_work(
            session, now=now, tz=settings.tz, notifier=notifier
        )
        counts["wecom_people"] = await seed_demo_wecom(session, now=now)
        await settle_demo_notices(session, now=now)
    counts["members"] = report.created + report.updated + report.unchanged
    return counts


async def serve(
    settings: Settings,
    *,
    seed_demo: bool = False,
    clock: Clock | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Migrate, optionally seed, then run the web chat and Telegram until ``stop`` is set."""
    private_umask()
    tighten(settings.data_dir, settings.database_url)
    db = Database(settings.database_url, pool_size=settings.database_pool_size)
    await upgrade(db)
    ctx: AppContext = build_context(settings, db, clock or settings.clock())
    ctx.cluster, ctx.bus = build_cluster(
        settings.redis_url, lease_seconds=settings.leader_lease_seconds
    )
    # jieba's dictionary (about a second) loads beside the start, not in the first chat's turn.
    words = asyncio.create_task(asyncio.to_thread(preload_search_words))
    try:
        if seed_demo:
            counts = await seed_demo_data(ctx)
            log.info("demo data loaded: %s", counts)
        elif settings.demo:
            # Demo mode hands out the staff persona: never on a database with real people.
            async with db.session() as session:
                await require_demo_database(session)
    except NotADemoDatabaseError:
        await words
        await ctx.cluster.close()
        await ctx.bus.close()
        await db.dispose()
        raise
    dp = build_dispatcher(ctx)
    webchat = WebChat(ctx, dp) if settings.web_enabled else None
    telegram = TelegramChannel(ctx, dp) if settings.telegram_token else None
    wechat = WeChatChannel(ctx, dp) if settings.wechat_enabled else None
    wecom = WeComChannel(ctx, dp) if settings.wecom_enabled else None
    runner = web_runner(
        build_web_app(webchat=webchat, telegram=telegram, archive=ctx, wechat=wechat, wecom=wecom)
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.web_host, settings.web_port)
    await site.start()
    bots = {}
    if webchat is not None:
        bots["web"] = webchat.bot
    if telegram is not None:
        bots["telegram"] = telegram.bot
    if wechat is not None:
        bots["wechat"] = wechat.bot
    if wecom is not None:
        bots["wecom"] = wecom.bot
    duties = LeaderDuties(
        ctx,
        bots,
        templates={"wechat": wechat} if wechat is not None else None,
        telegram=telegram,
    )
    ctx.wake_delivery = duties.wake
    await ctx.bus.start()
    stop = stop or stop_on_signals()
    leadership = Leadership(ctx.cluster, duties, lease_seconds=settings.leader_lease_seconds)
    leading = asyncio.create_task(leadership.run(stop), name="leadership")
    settle_heap()
    try:
        if telegram is not None:
            await telegram.start()
        if wechat is not None:
            await wechat.start()
        if wecom is not None:
            await wecom.start()
        if webchat is not None:
            log.info("web chat at http://%s:%s/", settings.web_host, settings.web_port)
        await stop.wait()
    finally:
        log.info("stopping")
        stop.set()
        # The leader's duties stop first: nothing is claimed for sending while channels close.
        await leading
        if telegram is not None:
            await telegram.stop()
        if wechat is not None:
            await wechat.stop()
        if wecom is not None:
            await wecom.stop()
        if webchat is not None:
            await webchat.close()
        await runner.cleanup()
        await dp.storage.close()
        await dp.fsm.events_isolation.close()
        await words
        await ctx.bus.close()
        await ctx.cluster.close()
        await db.dispose()


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so that a loop stops on its own terms, not by cancel."""
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, event.set)
    return event
