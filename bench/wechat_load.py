"""The load of ``bench/wechat.py``: residents walking the flow, callbacks offered on schedule.

Callbacks are timed at the client, from their scheduled time, so that a slow app shows as
latency and never as a lower rate; see the benchmark's docstring for the whole method.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.wechat_app import WECHAT_APP_ID, WECHAT_TOKEN
from bench.wechat_walk import CountingWeChat, Resident, StepError, description
from fakes.wechat_user import WeChatUser

log = logging.getLogger("bench.wechat")

TARGET_SECONDS = 4.5
# A real MsgId is a 64-bit number unique on the platform; the residents share one counter.
FIRST_MSG_ID = 24_000_000_000_000_000
LOG_EVERY_SECONDS = 5


@dataclass
class Load:
    """The residents of a run and what their callbacks measured."""

    wechat: CountingWeChat
    callback_url: str
    aes_key: str | None
    msg_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(FIRST_MSG_ID))
    rng: random.Random = field(default_factory=random.Random)
    residents: list[Resident] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    # Seconds from a callback's scheduled time until the answer the resident waited for.
    step_times: list[float] = field(default_factory=list)
    passive_answers: int = 0
    failures: list[str] = field(default_factory=list)

    def new_resident(self) -> Resident:
        """A person never seen before in this run."""
        user = WeChatUser(
            self.wechat,
            self.callback_url,
            token=WECHAT_TOKEN,
            openid=f"o-bench-{len(self.residents):06d}",
            app_id=WECHAT_APP_ID,
            aes_key=self.aes_key,
        )
        resident = Resident(user, self.msg_ids, description(self.rng))
        self.residents.append(resident)
        return resident


async def take_step(load: Load, resident: Resident, due: float, step_timeout: float) -> bool:
    """One callback, timed from ``due``, then its answer awaited; False when the step failed."""
    try:
        passive = await resident.send()
    except (StepError, aiohttp.ClientError, OSError) as error:
        load.failures.append(f"{type(error).__name__}: {error}")
        return False
    load.latencies.append(time.perf_counter() - due)
    load.passive_answers += passive
    try:
        await resident.settle(step_timeout)
    except StepError as error:
        load.failures.append(str(error))
        return False
    load.step_times.append(time.perf_counter() - due)
    return True


async def walk_alone(load: Load, step_timeout: float) -> list[float]:
    """One resident walks the whole flow with nothing else in flight; its answer times."""
    resident, first = load.new_resident(), len(load.latencies)
    while not resident.done:
        if not await take_step(load, resident, time.perf_counter(), step_timeout):
            raise StepError(load.failures[-1])
    return load.latencies[first:]


async def offer(
    load: Load, rate: float, seconds: float, population: int, step_timeout: float, seed: int
) -> dict[str, Any]:
    """Callbacks at a steady ``rate`` for ``seconds``, open loop, over walking residents."""
    rng = random.Random(seed)
    ready: list[Resident] = []
    in_flow, lateness = 0, 0.0
    first_resident, first_latency = len(load.residents), len(load.latencies)
    first_step, first_passive = len(load.step_times), load.passive_answers

    def newcomer() -> Resident:
        nonlocal in_flow
        in_flow += 1
        return load.new_resident()

    async def one(resident: Resident, due: float) -> None:
        nonlocal in_flow
        if await take_step(load, resident, due, step_timeout) and not resident.done:
            ready.append(resident)
        else:
            in_flow -= 1

    count = int(seconds * rate)
    started = time.perf_counter() + 0.1
    async with asyncio.TaskGroup() as group:
        for index in range(count):
            due = started + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            lateness = max(lateness, time.perf_counter() - due)
            while in_flow < population:
                ready.append(newcomer())
            resident = ready.pop(rng.randrange(len(ready))) if ready else newcomer()
            group.create_task(one(resident, due))
            if index and index % max(1, int(rate * LOG_EVERY_SECONDS)) == 0:
                log.info("%d callbacks offered, %d residents", index, len(load.residents))
        sent_seconds = time.perf_counter() - started
    return {
        "callbacks": count,
        "sent_rate": round(count / sent_seconds, 2) if sent_seconds > 0 else None,
        "generator_max_lateness_s": round(lateness, 3),
        "residents": len(load.residents) - first_resident,
        "answered": len(load.latencies) - first_latency,
        "answered_passively": load.passive_answers - first_passive,
        "latencies": load.latencies[first_latency:],
        "step_times": load.step_times[first_step:],
    }


async def quiet(wechat: CountingWeChat, still: float = 1.0, limit: float = 15.0) -> None:
    """Wait until the fake recorded nothing new for ``still`` seconds (follow-ups, notices)."""
    deadline = time.perf_counter() + limit
    seen = -1
    while len(wechat.sent) != seen and time.perf_counter() < deadline:
        seen = len(wechat.sent)
        await asyncio.sleep(still)


def percentiles(latencies: list[float], offered: int) -> dict[str, Any]:
    """Nearest-rank percentiles in seconds; the share of offered callbacks answered in time."""
    ordered = sorted(latencies)

    def rank(share: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)

    within = sum(1 for value in ordered if value <= TARGET_SECONDS)
    return {
        "answered_within_4_5s_share": round(within / offered, 4) if offered else None,
        "p50_s": rank(0.50),
        "p95_s": rank(0.95),
        "p99_s": rank(0.99),
        "max_s": round(ordered[-1], 3) if ordered else None,
    }
