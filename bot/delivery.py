"""The delivery loop: sends due outbox messages through each channel's Bot, politely and once.

A global pace per channel (Telegram allows about 30 messages a second in bulk), at most one
message a second to the same chat, the whole channel paused on 429 for ``retry_after``,
a chat marked blocked on 403 and never tried again, transient errors retried with backoff,
and results written back in small batches so a crash repeats at most what was in flight.

A channel with a message budget (the WeChat service account) refuses a free-form message
outside the person's window with :class:`~bot.channels.budget.OutsideWindowError`. The notice
then goes as the template message configured for its kind, through the channel's
:class:`~bot.channels.budget.TemplateSender` (the row is sent, its ``last_error`` noting the
template); with no template it is held (:attr:`OutboxState.HELD`) without using an attempt,
until the person writes again (:func:`services.outbox.queue.release_held`) or it expires.

Exactly once while the process lives: a row a worker claims stays its own until the row's
result is written, its lease renewed by a heartbeat (:mod:`bot.leases`), so neither another
sender nor the worker's own next claim takes it over; a row whose lease was lost is not sent.
Only a dead sender's rows run out of lease and are claimed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.budget import OutsideWindowError, TemplateSender
from bot.channels.capabilities import reuses_file_ids
from bot.leases import Leases
from bot.pacing import PER_CHAT_INTERVAL, ChatTurns, HaltedError, Lane, Pace
from handlers.outgoing import AttachmentGoneError, attachment_of, send_outgoing
from services.clock import Clock
from services.meetings.materials import remember_telegram_id, stored_file
from services.outbox.queue import MAX_ATTEMPTS, Delivery, OutboxState, Outgoing, claim, record
from services.outbox.templates import TemplateSpec, template_message
from services.translation import N_
from storage.db import Database, write_transaction
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

TRANSIENT = (TelegramNetworkError, TelegramServerError, aiohttp.ClientError, TimeoutError)
FLUSH_EVERY = 0.05
UNAUTHORIZED_PAUSE = 60.0
# A message told to wait (429) tries again in its chat's turn this many times in all.
RATE_LIMIT_TRIES = 3
MAX_BACKOFF = 300.0
FINAL_FLUSH_PAUSES = (0.1, 0.5, 2.0)
LOST_LEASE = "its lease ran out before it could be sent"
# Kept in English on the row, translated where it is shown (``liaison outbox``).
HELD_REASON = N_("waiting for the person to write again: outside the 48-hour window")
TEMPLATE_NOTE = "sent as template message {template_id}"


@dataclass(frozen=True)
class DeliverySettings:
    """How fast and how hard to try."""

    rates: dict[str, float]
    quiet_start: dt.time
    quiet_end: dt.time
    tz: dt.tzinfo
    files_dir: Path
    lease: dt.timedelta = dt.timedelta(minutes=2)
    batch: int = 200
    in_flight: int = 400
    # Channels that send with Telegram's allow_paid_broadcast (above 30 a second, paid).
    paid: frozenset[str] = frozenset()
    # Seconds between two messages to one chat, by channel (PER_CHAT_INTERVAL otherwise).
    per_chat_interval: Mapping[str, float] = field(default_factory=dict)
    # Template messages standing in for notices outside a chat's window: channel -> kind -> it.
    template_messages: Mapping[str, Mapping[str, TemplateSpec]] = field(default_factory=dict)
    # How many times faster than the wall clock the bot's clock runs (a simulation's): the
    # lease is in the bot's time, while the heartbeat and the pace keep real seconds.
    clock_speed: float = 1.0


class DeliveryWorker:
    """Claims due messages and sends them; ``wake`` it when new ones are queued."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        bots: dict[str, Bot],
        settings: DeliverySettings,
        *,
        templates: Mapping[str, TemplateSender] | None = None,
        worker: str | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        # The channels that can send a template message, by name.
        self.templates: Mapping[str, TemplateSender] = templates or {}
        self.leases = Leases(db, clock, settings.lease, speed=settings.clock_speed, worker=worker)
        lease = settings.lease.total_seconds() / settings.clock_speed
        self.lanes: dict[str, Lane] = {}
        for channel, bot in bots.items():
            rate = settings.rates.get(channel, 25.0)
            cap = max(1, min(settings.in_flight, int(rate * lease / 2)))
            interval = settings.per_chat_interval.get(channel, PER_CHAT_INTERVAL)
            per_chat = max(1, int(lease / interval / 2))
            self.lanes[channel] = Lane(
                channel,
                bot,
                Pace(rate),
                cap=cap,
                per_chat=per_chat,
                chats=ChatTurns(interval=interval),
            )
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._sending_done = asyncio.Event()
        self._results: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0

    def wake(self) -> None:
        """New messages may be due: look now rather than at the next tick."""
        self._wake.set()

    def quiet(self, now: dt.datetime) -> bool:
        """Whether ``now`` falls in the committee's quiet hours."""
        local = now.astimezone(self.settings.tz).time()
        start, end = self.settings.quiet_start, self.settings.quiet_end
        if start == end:
            return False
        return start <= local or local < end if start > end else start <= local < end

    async def run(self) -> None:
        """Deliver until stopped."""
        background = self._start_background()
        try:
            while not self._stopping.is_set():
                try:
                    claimed = await self.drain()
                except (SQLAlchemyError, OSError) as error:
                    # A database that dropped the connection or went away for a moment: the
                    # loop lives on and claims again once it is back; nothing was taken.
                    log.warning("delivery: the outbox is out of reach (%s); trying again", error)
                    claimed = 0
                if claimed:
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=1.0)
        finally:
            await self._finish(*background)

    async def run_once(self) -> int:
        """Send everything due now, wait for it, write the results; return how many."""
        total = 0
        background = self._start_background()
        try:
            while True:
                claimed = await self.drain()
                total += claimed
                if claimed:
                    continue
                if not self._tasks:
                    break
                await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)
        finally:
            await self._finish(*background)
        return total

    async def stop(self) -> None:
        """Finish what is being sent, put back what waits for a slot, write the results, stop.

        Putting back keeps a shutdown quick even during a long 429 pause; the next process
        claims those messages again.
        """
        self._stopping.set()
        self._wake.set()

    def _start_background(self) -> tuple[asyncio.Task[None], asyncio.Task[None], asyncio.Event]:
        """The flusher, stopped once sending is done, and the heartbeat, stopped at the end."""
        self._sending_done.clear()
        flusher = asyncio.create_task(self._flush_until(self._sending_done))
        finished = asyncio.Event()
        heartbeat = asyncio.create_task(self.leases.keep(finished))
        return flusher, heartbeat, finished

    async def _finish(
        self, flusher: asyncio.Task[None], heartbeat: asyncio.Task[None], finished: asyncio.Event
    ) -> None:
        try:
            if self._stopping.is_set():
                self.halt()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            self._sending_done.set()
            await flusher
            for pause in FINAL_FLUSH_PAUSES:
                await self.flush()
                if not self._results:
                    return
                await asyncio.sleep(pause)
            # Rows left "sending" are sent again once their lease runs out: at least once.
            log.error("%d delivery results were not written", len(self._results))
        finally:
            # The leases of results not written are left to run out, like a crash's.
            finished.set()
            await heartbeat

    async def drain(self) -> int:
        """Claim what is due on every lane with room to spare; return how many."""
        claimed = 0
        now = self.clock.now()
        quiet = self.quiet(now)
        for lane in self.lanes.values():
            room = min(lane.room, self.settings.in_flight - len(self._tasks), self.settings.batch)
            if room <= 0:
                continue
            async with self.db.session() as session:
                rows = await claim(
                    session,
                    channel=lane.channel,
                    now=now,
                    limit=room,
                    quiet=quiet,
                    lease=self.settings.lease,
                    # Rows sent but not yet recorded are still this worker's, lease or not.
                    exclude=self.leases.ids(),
                    chat_room=lane.chat_room,
                    owner=self.leases.owner,
                )
            for row in rows:
                assert row.id is not None
                self.leases.hold(row.id, row.locked_until)
                lane.in_flight.add(row.id)
                task = asyncio.create_task(self._deliver(lane, row))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            claimed += len(rows)
        return claimed

    async def _deliver(self, lane: Lane, row: OutboxMessage) -> None:
        assert row.id is not None
        generation = lane.generation
        try:
            async with lane.chats.turn(row.chat_id):
                result = await self._send_in_turn(lane, row, generation)
            self._results.append(result)
        except BaseException:
            # No result will come: held on, the row would be renewed forever and never sent.
            self.leases.release([row.id])
            raise
        finally:
            lane.in_flight.discard(row.id)
            # Claim again once half the lane is free, not for every single message.
            if len(lane.in_flight) <= lane.cap // 2:
                self._wake.set()

    async def _send_in_turn(self, lane: Lane, row: OutboxMessage, generation: int) -> Delivery:
        """Wait for a slot and send; a 429 is waited out here, so the chat's order holds."""
        assert row.id is not None
        for _try in range(RATE_LIMIT_TRIES):
            try:
                if lane.generation != generation:
                    raise HaltedError
                await lane.pace.wait()
            except HaltedError:
                # Back to the outbox as it was: no attempt used, sent by the next claim.
                return Delivery(
                    row.id, row.identity_id, OutboxState.PENDING, counts_as_attempt=False
                )
            if not self.leases.holds(row.id):
                # Another sender may have it now (then this result is not written); if none
                # does, it goes back as it was.
                log.warning("outbox message %s: lease lost while waiting, not sent", row.id)
                return Delivery(
                    row.id,
                    row.identity_id,
                    OutboxState.PENDING,
                    error=LOST_LEASE,
                    counts_as_attempt=False,
                )
            result = await self._send(lane, row)
            if not result.rate_limited:
                return result
        return result

    def halt(self) -> None:
        """Send back what waits for a slot on every channel (see :meth:`Lane.halt`)."""
        for lane in self.lanes.values():
            lane.halt()

    async def _send(self, lane: Lane, row: OutboxMessage) -> Delivery:
        assert row.id is not None
        done = Delivery(row.id, row.identity_id, OutboxState.SENT)

        async def as_itself() -> tuple[int, str | None]:
            sent = await self._call(lane, row, Outgoing.loads(row.payload))
            return sent.message_id, None

        try:
            return await self._attempt(lane, row, done, as_itself)
        except OutsideWindowError as error:
            return await self._outside_window(lane, row, done, error)

    async def _outside_window(
        self, lane: Lane, row: OutboxMessage, done: Delivery, error: OutsideWindowError
    ) -> Delivery:
        """The chat's window is shut: a template message stands in, or the notice is held."""
        sender = self.templates.get(lane.channel)
        configured = self.settings.template_messages.get(lane.channel, {})
        facts = Outgoing.loads(row.payload).facts
        template = template_message(configured, kind=row.kind or "", facts=facts)
        if sender is None or template is None:
            # Not a failure and not an attempt: it goes once the person writes again.
            log.info("outbox message %s held: %s", row.id, error)
            return _with(done, OutboxState.HELD, HELD_REASON, self.clock.now(), attempt=False)

        async def as_template() -> tuple[int, str | None]:
            message_id = await sender.send_template(
                row.chat_id, template.template_id, template.data, url=template.url
            )
            return message_id, TEMPLATE_NOTE.format(template_id=template.template_id)

        try:
            return await self._attempt(lane, row, done, as_template)
        except OutsideWindowError as refused:
            # A template refused too (not allowed for this person): wait for them instead.
            reason = f"{HELD_REASON}; {refused}"
            return _with(done, OutboxState.HELD, reason, self.clock.now(), attempt=False)

    async def _attempt(
        self,
        lane: Lane,
        row: OutboxMessage,
        done: Delivery,
        send: Callable[[], Awaitable[tuple[int, str | None]]],
    ) -> Delivery:
        """Send once and say what came of it; ``send`` gives the message id and a note."""
        assert row.id is not None
        try:
            message_id, note = await send()
        except OutsideWindowError:
            raise
        except TelegramRetryAfter as error:
            lane.pace.pause(error.retry_after)
            log.warning("%s: 429, pausing %ss", lane.channel, error.retry_after)
            retry = self.clock.now() + dt.timedelta(seconds=error.retry_after)
            held = _with(done, OutboxState.PENDING, str(error), retry, attempt=False)
            return replace(held, rate_limited=True)
        except TelegramUnauthorizedError as error:
            # The token was revoked or is wrong: no message is at fault, so none fails; the
            # channel waits for an operator and tries again.
            lane.pace.pause(UNAUTHORIZED_PAUSE)
            lane.halt()  # every message waiting would meet the same 401
            log.error("%s: 401 from the Bot API, check the token; pausing", lane.channel)
            retry = self.clock.now() + dt.timedelta(seconds=UNAUTHORIZED_PAUSE)
            return _with(done, OutboxState.PENDING, str(error), retry, attempt=False)
        except TelegramForbiddenError as error:
            return _with(done, OutboxState.BLOCKED, str(error))
        except (TelegramBadRequest, AttachmentGoneError) as error:
            return _with(done, OutboxState.FAILED, str(error))
        except TRANSIENT as error:
            if row.attempts >= MAX_ATTEMPTS:
                return _with(done, OutboxState.FAILED, f"gave up: {error}")
            backoff = min(MAX_BACKOFF, 2.0**row.attempts)
            retry = self.clock.now() + dt.timedelta(seconds=backoff)
            return _with(done, OutboxState.PENDING, str(error), retry)
        except TelegramAPIError as error:
            return _with(done, OutboxState.FAILED, str(error))
        except Exception as error:
            # A message that cannot even be built would fail the same way on every retry.
            log.exception("outbox message %s could not be sent", row.id)
            return _with(done, OutboxState.FAILED, f"{type(error).__name__}: {error}")
        self.sent += 1
        return Delivery(row.id, row.identity_id, OutboxState.SENT, message_id=message_id, note=note)

    async def _call(self, lane: Lane, row: OutboxMessage, message: Outgoing) -> Message:
        key = message.document or message.photo
        attachment = None
        if key is not None:
            async with self.db.session() as session:
                stored = await stored_file(session, key)
            attachment = await attachment_of(
                stored,
                key=key,
                reuses_file_ids=reuses_file_ids(lane.channel),
                files_dir=self.settings.files_dir,
            )
        sent = await send_outgoing(
            lane.bot,
            row.chat_id,
            message,
            attachment=attachment,
            paid=lane.channel in self.settings.paid,
        )
        fresh = isinstance(attachment, BufferedInputFile)
        if key is not None and reuses_file_ids(lane.channel) and sent.document and fresh:
            async with self.db.session() as session, write_transaction(session):
                await remember_telegram_id(session, key=key, file_id=sent.document.file_id)
        return sent

    async def _flush_until(self, done: asyncio.Event) -> None:
        # Stopped by an event, never cancelled: a write cut short would leave results unwritten.
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout=FLUSH_EVERY)
            await self.flush()

    async def flush(self) -> None:
        """Write the results gathered so far; keep them for the next try if that fails."""
        if not self._results:
            return
        batch, self._results = self._results, []
        try:
            async with self.db.session() as session:
                await record(session, batch, now=self.clock.now(), owner=self.leases.owner)
        except Exception:
            log.exception("could not record %d delivery results; will retry", len(batch))
            self._results[:0] = batch
            return
        except BaseException:
            self._results[:0] = batch  # writing them again is harmless: only unsent rows
            raise
        # Written: the rows are no longer this worker's to hold (or to leave out of a claim).
        self.leases.release(result.outbox_id for result in batch)


def _with(
    done: Delivery,
    state: OutboxState,
    error: str,
    retry_at: dt.datetime | None = None,
    *,
    attempt: bool = True,
) -> Delivery:
    return Delivery(
        done.outbox_id,
        done.identity_id,
        state,
        error=error,
        retry_at=retry_at,
        counts_as_attempt=attempt,
    )
