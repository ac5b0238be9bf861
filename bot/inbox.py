"""The update inbox: raw updates stored before they are acknowledged, then handled from there.

Telegram never sends an update again once it got a 200 for it (webhook) or a later getUpdates
confirmed it (polling). So every update is written to ``update_inbox`` and committed first,
and only then acknowledged; a worker hands the stored rows to the one Dispatcher and marks
them handled. After a crash, the rows still ``received`` are handled before anything newer.

Whether the handling of an update is over is the replay guard's record (``processed_update``,
see bot/middlewares/dedupe.py), written when its handlers are done: a row fed again after a
crash is answered if its handlers never finished and ignored if they did.

Two updates of one chat are handled one after the other, in update id order; different chats
run side by side, as many as the dispatcher's concurrency cap lets through.

Of several workers (:mod:`bot.cluster`), the one that stored an update handles it: a row
carries its ``owner``. The rows of a worker that is gone (stopped, or dead and no longer
announcing itself) are adopted by another, which handles them as its own; rows stored before
owners were kept have none and are adopted the same way. A process alone adopts what an
earlier run of itself left, once, as it starts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractAsyncContextManager

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from services.chats.updates import adopt_waiting_updates
from services.clock import Clock
from storage.db import Database
from storage.models import InboxUpdate
from storage.queries import insert_ignore, table_of

log = logging.getLogger(__name__)

RECEIVED = "received"
HANDLED = "handled"
FAILED = "failed"
KEEP_HANDLED = dt.timedelta(days=1)
PRUNE_EVERY = dt.timedelta(hours=1)
# Rows read into memory at once; a backlog larger than this waits in the table.
MAX_IN_FLIGHT = 256
RETRY_SECONDS = 2.0
# Of several workers, how often one looks for the rows of workers that are gone.
ADOPT_SECONDS = 2.0


def chat_key(update: Update) -> Hashable:
    """What orders updates: their chat (or user); an update of no chat stands alone."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.chat is not None:
        return context.chat.id
    if context.user is not None:
        return context.user.id
    return ("update", update.update_id)


class UpdateInbox:
    """The stored updates of one bot and the worker that hands them to the dispatcher."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        dp: Dispatcher,
        bot: Bot,
        *,
        max_in_flight: int = MAX_IN_FLIGHT,
        around: Callable[[Update], AbstractAsyncContextManager[None]] | None = None,
        owner: str | None = None,
        alive: Callable[[], Awaitable[set[str]]] | None = None,
    ) -> None:
        self.db = db
        # This worker's name on the rows it stores; ``alive`` names the workers alive now,
        # given only when there may be others.
        self.owner = owner or f"inbox:{secrets.token_hex(6)}"
        self.alive = alive
        self._adopted_at: float | None = None
        # Entered around each update's handling: a channel that answers once the handling is
        # over (the WeChat service account's passive reply) learns when that is.
        self.around = around
        self.clock = clock
        self.dp = dp
        self.bot = bot
        self.max_in_flight = max_in_flight
        self._wakeup = asyncio.Event()
        self._in_flight: set[int] = set()
        # Rows marked while a read was under way: that read may still see them received.
        self._settled: set[int] | None = None
        self._queues: dict[Hashable, deque[Update]] = {}
        self._chats: dict[Hashable, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._pruned_at: dt.datetime | None = None

    async def put(self, updates: Sequence[tuple[int, str]]) -> int:
        """Store ``(update_id, json)`` pairs in one commit; how many were new.

        Only after this returns may the updates be acknowledged to Telegram. An update stored
        before (a redelivery) is left as it is.
        """
        if not updates:
            return 0
        now = self.clock.now()
        table = table_of(InboxUpdate)
        new = 0
        async with self.db.writing() as session:
            for update_id, payload in updates:
                row = {
                    "bot_id": self.bot.id,
                    "update_id": update_id,
                    "payload": payload,
                    "state": RECEIVED,
                    "received_at": now,
                    "owner": self.owner,
                }
                new += await insert_ignore(session, table, row, ["bot_id", "update_id"])
        if new:
            self.wake()
        return new

    def wake(self) -> None:
        """Look for stored updates now."""
        self._wakeup.set()

    def start(self) -> None:
        """Start handling stored updates, the oldest first."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name=f"update-inbox-{self.bot.id}")

    async def stop(self, timeout: float = 10.0) -> None:
        """Let the updates being handled finish (up to ``timeout``); the rest wait in the table."""
        self._stopping = True
        for queue in self._queues.values():
            queue.clear()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        chats = list(self._chats.values())
        if chats:
            _, late = await asyncio.wait(chats, timeout=timeout)
            for task in late:
                task.cancel()  # not marked handled: handled again after the restart
            await asyncio.gather(*chats, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            try:
                await self._prune()
                await self._adopt()
                await self._fill()
            except (SQLAlchemyError, OSError) as error:
                log.warning("update inbox unreadable, retrying: %s", error)
                await self._sleep(RETRY_SECONDS)
                continue
            if self.alive is None:
                await self._wakeup.wait()
            else:
                await self._sleep(ADOPT_SECONDS)

    async def _adopt(self) -> None:
        """Take over the waiting rows of workers that are gone."""
        moment = asyncio.get_running_loop().time()
        if self._adopted_at is not None and (
            self.alive is None or moment - self._adopted_at < ADOPT_SECONDS
        ):
            return
        try:
            alive = await self.alive() if self.alive is not None else {self.owner}
        except Exception as error:  # Redis away: the rows wait for the next look
            log.warning("update inbox: the workers alive are unknown: %s", error)
            return
        async with self.db.writing() as session:
            adopted = await adopt_waiting_updates(
                session, bot_id=self.bot.id, owner=self.owner, alive=alive, waiting=RECEIVED
            )
        self._adopted_at = moment
        if adopted:
            log.info("bot %s: adopted %s updates of workers gone", self.bot.id, adopted)

    async def _sleep(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()
        except TimeoutError:
            pass

    async def _fill(self) -> None:
        """Queue the oldest received rows not yet in memory, each behind its chat's earlier ones."""
        room = self.max_in_flight - len(self._in_flight)
        if room <= 0:
            return
        query = (
            select(col(InboxUpdate.update_id), col(InboxUpdate.payload))
            .where(
                col(InboxUpdate.bot_id) == self.bot.id,
                col(InboxUpdate.state) == RECEIVED,
                col(InboxUpdate.owner) == self.owner,
            )
            .order_by(col(InboxUpdate.update_id))
            # The rows in flight are still received; reading past them leaves ``room`` new ones.
            .limit(room + len(self._in_flight))
        )
        self._settled = set()
        try:
            async with self.db.session() as session:
                rows = (await session.execute(query)).all()
            settled = self._settled
        finally:
            self._settled = None
        for update_id, payload in rows:
            if update_id in self._in_flight or update_id in settled or self._stopping:
                continue
            parsed = self._parse(update_id, payload)
            if parsed is None:
                await self._mark(update_id, FAILED)
                continue
            self._in_flight.add(update_id)
            key = chat_key(parsed)
            self._queues.setdefault(key, deque()).append(parsed)
            if key not in self._chats:
                self._chats[key] = asyncio.create_task(self._drain(key))

    def _parse(self, update_id: int, payload: str) -> Update | None:
        try:
            parsed = Update.model_validate(json.loads(payload), context={"bot": self.bot})
            parsed.event_type  # noqa: B018  (the lookup raises for an update with no event)
        except (ValueError, UpdateTypeLookupError) as error:
            log.warning("stored update %s of bot %s unreadable: %s", update_id, self.bot.id, error)
            return None
        return parsed

    async def _drain(self, key: Hashable) -> None:
        queue = self._queues[key]
        try:
            while queue:
                await self._handle(queue.popleft())
        finally:
            # No await between the emptiness check and here: _fill sees either a live task
            # that will take its row, or no task and starts one.
            del self._queues[key]
            del self._chats[key]

    async def _handle(self, update: Update) -> None:
        state = HANDLED
        try:
            if self.around is None:
                await self.dp.feed_update(self.bot, update)
            else:
                async with self.around(update):
                    await self.dp.feed_update(self.bot, update)
        except Exception:
            log.exception("update %s of bot %s failed", update.update_id, self.bot.id)
            state = FAILED
        try:
            await self._mark(update.update_id, state)
        finally:
            self._in_flight.discard(update.update_id)
            if self._settled is not None:
                self._settled.add(update.update_id)
            if len(self._in_flight) <= self.max_in_flight // 2:
                self.wake()

    async def _mark(self, update_id: int, state: str) -> None:
        statement = (
            update(InboxUpdate)
            .where(
                col(InboxUpdate.bot_id) == self.bot.id,
                col(InboxUpdate.update_id) == update_id,
            )
            # Handled, the raw update (a phone number, a location) is no longer needed: the
            # replay guard has its id. Keeping it would outlive an erasure.
            .values(state=state, handled_at=self.clock.now(), payload="")
        )
        try:
            # Under load, many updates end at once: their marks share one transaction.
            await self.db.batched.run(lambda session: session.execute(statement))
        except (SQLAlchemyError, OSError) as error:
            # Read again later and fed again: the replay guard knows it was handled.
            log.warning("update %s not marked %s: %s", update_id, state, error)

    async def _prune(self) -> None:
        now = self.clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        async with self.db.writing() as session:
            await session.execute(
                delete(InboxUpdate).where(
                    col(InboxUpdate.bot_id) == self.bot.id,
                    col(InboxUpdate.state) != RECEIVED,
                    col(InboxUpdate.handled_at) < now - KEEP_HANDLED,
                )
            )
        self._pruned_at = now
