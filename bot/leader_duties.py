"""What only the leader runs: the delivery loop, the scheduler, and Telegram long polling.

Of several workers one leads (:mod:`bot.leadership`); a single process always does. The
duties are built afresh each time the lead is taken, so a worker that loses it and later
wins it back starts from the database, as a restart would.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from aiogram import Bot

from bot.app import AppContext
from bot.channels.budget import TemplateSender
from bot.channels.shared_rate import FREE_RATE, as_bulk
from bot.channels.telegram import TelegramChannel
from bot.delivery import DeliverySettings, DeliveryWorker
from bot.finishing_scheduler import FinishingScheduler
from bot.scheduler import build_scheduler
from services.outbox.queue import free_orphans
from storage.db import write_transaction

log = logging.getLogger(__name__)
WAKE_TOPIC = "wake-delivery"
# How long a stop waits for a running scheduled job (the planner's longest takes about a second).
JOBS_FINISH_SECONDS = 15.0


class LeaderDuties:
    """The loops one worker of the installation runs for all of them."""

    def __init__(
        self,
        ctx: AppContext,
        bots: dict[str, Bot],
        *,
        templates: Mapping[str, TemplateSender] | None = None,
        telegram: TelegramChannel | None = None,
    ) -> None:
        self.ctx = ctx
        self.bots = bots
        self.templates = templates
        self.telegram = telegram
        self.worker: DeliveryWorker | None = None
        self._delivering: asyncio.Task[None] | None = None
        self._freeing: asyncio.Task[None] | None = None
        self._scheduler: FinishingScheduler | None = None
        self._wake_pending = False
        self._relays: set[asyncio.Task[None]] = set()
        ctx.bus.subscribe(WAKE_TOPIC, self._on_wake)

    def wake(self) -> None:
        """Rows were queued: the delivery loop looks now, here or on the leader.

        A worker that does not lead tells the leader over the bus; while one such word is on
        its way, another would say nothing new. Should it be lost, the leader's delivery tick
        finds the rows within seconds.
        """
        if self.worker is not None:
            self.worker.wake()
        elif self.ctx.cluster.several and not self._wake_pending:
            self._wake_pending = True
            relay = asyncio.get_running_loop().create_task(self._relay_wake())
            self._relays.add(relay)
            relay.add_done_callback(self._relays.discard)

    async def _relay_wake(self) -> None:
        try:
            await self.ctx.bus.publish(WAKE_TOPIC, {})
        finally:
            self._wake_pending = False

    async def _on_wake(self, payload: dict[str, Any]) -> None:
        if self.worker is not None:
            self.worker.wake()

    async def start(self) -> None:
        """Start the delivery loop, the scheduler and, without a webhook, Telegram polling."""
        self.worker = build_worker(self.ctx, self.bots, templates=self.templates)
        # What the loop sends is bulk: of several workers, people's answers go first.
        self._delivering = asyncio.create_task(
            self.worker.run(), name="delivery", context=as_bulk()
        )
        self._freeing = asyncio.create_task(self._free_orphans(self.worker), name="orphans")
        self._scheduler = build_scheduler(self.ctx, self.worker)
        self._scheduler.start()
        if self.telegram is not None:
            await self.telegram.start_polling()

    async def stop(self) -> None:
        """Stop polling and the scheduler, then let the delivery loop finish what it holds."""
        if self.telegram is not None:
            await self.telegram.stop_polling()
        if self._scheduler is not None:
            await self._scheduler.finish(timeout=JOBS_FINISH_SECONDS)
            self._scheduler = None
        if self._freeing is not None:
            self._freeing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._freeing
            self._freeing = None
        if self.worker is not None:
            await self.worker.stop()
        if self._delivering is not None:
            await self._delivering
            self._delivering = None
        self.worker = None

    async def _free_orphans(self, worker: DeliveryWorker) -> None:
        """Every lease while leading: rows a dead worker left "sending" are due again at once.

        A dead leader's messages would otherwise wait out their lease (minutes) before the
        new leader sends them. A worker just dead may still count as alive for up to a lease,
        hence the repeat rather than one look at the start of the term.
        """
        while True:
            try:
                alive = await self.ctx.cluster.alive()
                async with self.ctx.db.session() as session, write_transaction(session):
                    freed = await free_orphans(session, alive=alive, now=self.ctx.clock.now())
            except Exception:  # Redis or the database away: the next look tries again
                log.exception("could not look for messages a dead worker left")
                freed = 0
            if freed:
                log.warning("%d messages a dead worker left sending are due again", freed)
                worker.wake()
            await asyncio.sleep(self.ctx.settings.leader_lease_seconds)


def build_worker(
    ctx: AppContext,
    bots: dict[str, Bot],
    templates: Mapping[str, TemplateSender] | None = None,
) -> DeliveryWorker:
    """The delivery loop for the channels that run.

    ``templates`` are the channels that can send template messages (the WeChat service
    account), used for notices outside a chat's window when one is configured for them.
    """
    settings = ctx.settings
    if settings.delivery_rate > FREE_RATE and not settings.paid_broadcast:
        log.warning(
            "LIAISON_DELIVERY_RATE=%s is above Telegram's free %s a second; expect 429s "
            "unless LIAISON_PAID_BROADCAST is set",
            settings.delivery_rate,
            FREE_RATE,
        )
    quiet_start, quiet_end = settings.quiet_range
    return DeliveryWorker(
        ctx.db,
        ctx.clock,
        bots,
        DeliverySettings(
            rates={"telegram": settings.delivery_rate, "web": 200.0},
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            tz=settings.tz,
            files_dir=settings.files_dir,
            # The lease is set in real seconds; the rows keep it in the bot's time.
            lease=dt.timedelta(seconds=settings.delivery_lease_seconds * settings.clock_speed),
            clock_speed=settings.clock_speed,
            paid=frozenset({"telegram"}) if settings.paid_broadcast else frozenset(),
            # WeCom silently drops what goes beyond its count a minute to one member.
            per_chat_interval={"wecom": 60.0 / settings.wecom_per_minute},
            template_messages={"wechat": settings.wechat_templates},
        ),
        templates=templates,
        worker=ctx.cluster.name,
    )
