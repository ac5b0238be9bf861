"""Follows running broadcasts: edits each sender's progress message, finishes and reports.

A periodic job of the process that runs the scheduler. The progress card is redrawn, through
its one owner ``handlers.staff.broadcast_progress``, only when its counts changed; once none of
a broadcast's messages is pending or sending, the broadcast is marked finished and the sender's
report is queued through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from aiogram import Bot

from bot.app import AppContext
from bot.delivery import DeliveryWorker
from handlers.notifications import ChatNotifier
from handlers.staff.broadcast_progress import redraw_progress
from services.broadcasts.progress import (
    Progress,
    finish,
    progress,
    set_progress_text,
    sweep_cancelled,
    unfinished,
)
from services.clock import Clock
from storage.db import Database
from storage.enums import BroadcastState
from storage.models import Broadcast, ChatIdentity

log = logging.getLogger(__name__)
EVERY_SECONDS = 3


class BroadcastMonitor:
    """One ``tick`` looks at every due, unfinished broadcast once."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        bots: Mapping[str, Bot],
        notifier: ChatNotifier,
        wake_delivery: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.bots = bots
        self.notifier = notifier
        self.wake_delivery = wake_delivery

    @classmethod
    def for_worker(cls, ctx: AppContext, worker: DeliveryWorker) -> BroadcastMonitor:
        """A monitor that edits through the same bots the delivery loop sends with."""
        bots = {channel: lane.bot for channel, lane in worker.lanes.items()}
        return cls(
            ctx.db,
            ctx.clock,
            bots,
            ctx.notifier,
            wake_delivery=lambda: ctx.wake_delivery(),
        )

    async def tick(self) -> int:
        """Update every running broadcast; return how many finished now."""
        now = self.clock.now()
        async with self.db.session() as session:
            running = [b.id for b in await unfinished(session, now=now) if b.id is not None]
        finished = 0
        for broadcast_id in running:
            try:
                finished += await self._follow(broadcast_id)
            except Exception:
                log.exception("broadcast %s: could not follow its progress", broadcast_id)
        if finished:
            self.wake_delivery()
        return finished

    async def _follow(self, broadcast_id: int) -> bool:
        now = self.clock.now()
        async with self.db.session() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            if broadcast is None:
                return False
            if broadcast.state == BroadcastState.CANCELLED:
                # A retry after a failed attempt puts a row back to pending: stop it too.
                await sweep_cancelled(session, broadcast_id=broadcast_id)
            counts = await progress(session, broadcast_id=broadcast_id)
            final = None
            if not counts.open:
                final = await finish(
                    session, broadcast_id=broadcast_id, now=now, notifier=self.notifier
                )
                await session.refresh(broadcast)
            identity = (
                await session.get(ChatIdentity, broadcast.progress_identity_id)
                if broadcast.progress_identity_id is not None
                else None
            )
        if identity is not None:
            await self._show(broadcast, identity, final or counts, finished=final is not None)
        return final is not None

    async def _show(
        self, broadcast: Broadcast, identity: ChatIdentity, counts: Progress, *, finished: bool
    ) -> None:
        bot = self.bots.get(identity.channel)
        if bot is None:
            return
        assert broadcast.id is not None
        shown = await redraw_progress(
            bot,
            broadcast=broadcast,
            identity=identity,
            counts=counts,
            notifier=self.notifier,
            now=self.clock.now(),
            finished=finished,
        )
        if shown is None:
            return
        async with self.db.session() as session:
            await set_progress_text(session, broadcast_id=broadcast.id, text=shown)
