"""The leader's duties run on exactly one worker at a time, and move when it dies.

Every worker beats three times a lease: it announces itself and claims or renews the lead
(:mod:`bot.cluster`). The worker that gets it starts the duties; one that loses it, or cannot
reach Redis to renew it, stops them at once, since by the time its lease ends another worker
may lead. A lease that is not renewed ends within ``lease`` seconds, so the duties come back
on another worker within about that long after their leader dies.

Whatever an overlap of two leaders could do twice is guarded below them: an outbox row is
sent under its own lease, and a reminder has a unique dedupe key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from redis.exceptions import RedisError

from bot.cluster import Cluster

log = logging.getLogger(__name__)

BEATS_PER_LEASE = 3


class Duties(Protocol):
    """What only the leader runs."""

    async def start(self) -> None:
        """Take the duties up."""

    async def stop(self) -> None:
        """Put them down, letting what is under way finish."""


class Leadership:
    """Beats for one worker; starts and stops its duties as the lead comes and goes."""

    def __init__(self, cluster: Cluster, duties: Duties, *, lease_seconds: float) -> None:
        self.cluster = cluster
        self.duties = duties
        self.interval = lease_seconds / BEATS_PER_LEASE
        self.leading = False
        # Set whenever the lead comes or goes: a test or a caller can wait on it.
        self.changed = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Beat until ``stop`` is set, then give the lead up."""
        try:
            while not stop.is_set():
                await self.beat()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.interval)
        finally:
            await self._step_down()
            with contextlib.suppress(RedisError, OSError):
                await self.cluster.resign()

    async def beat(self) -> None:
        """Announce this worker, claim or renew the lead, and act on the answer."""
        try:
            await self.cluster.announce()
            leads = await self.cluster.claim_lead()
        except (RedisError, OSError) as error:
            if self.leading:
                log.warning("the lead could not be renewed (%s): stepping down", error)
            leads = False
        if leads and not self.leading:
            log.info("%s leads: the scheduler and the delivery loop run here", self.cluster.name)
            self.leading = True
            self.changed.set()
            try:
                await self.duties.start()
            except Exception:
                # Half started is not leading: stop what did start, and try again next beat.
                log.exception("the leader's duties could not start")
                await self._step_down()
        elif not leads and self.leading:
            await self._step_down()

    async def _step_down(self) -> None:
        if not self.leading:
            return
        log.info("%s no longer leads", self.cluster.name)
        self.leading = False
        self.changed.set()
        try:
            await self.duties.stop()
        except Exception:
            # The beats must go on whatever the duties' end: a worker that stops beating is
            # taken for dead, and one that stops claiming never leads again.
            log.exception("the leader's duties did not stop cleanly")
