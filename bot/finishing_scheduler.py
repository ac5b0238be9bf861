"""An asyncio scheduler that keeps its jobs to a share of the loop, and lets them finish on stop.

APScheduler's asyncio executor cancels the jobs still running when the scheduler shuts down:
a planner job cut off in the middle of a transaction logs a traceback and leaves its work for
the next leader. Every job here is an asyncio task on the loop (a plain function too, rather
than a thread of the executor's pool, where it must not touch the loop's objects), and
:meth:`FinishingScheduler.finish` stops new runs and waits for the running ones.

A job also leaves the loop to the people it serves: after a run that took *t* seconds, the
next one is skipped until ``t / share - t`` seconds have passed. With a slow database, or a
simulation's clock running faster than the planner can plan, the jobs then take at most
about ``share`` of the worker's time each, and the answers to people keep coming; at the
usual intervals (a minute, an hour) a run of a few milliseconds never meets this.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler


class FinishingScheduler(AsyncIOScheduler):  # type: ignore[misc]  # untyped base
    """An ``AsyncIOScheduler`` that knows its running jobs and can wait for them."""

    def __init__(self, *, share: float = 1.0, **options: Any) -> None:
        super().__init__(**options)
        if not 0 < share <= 1:
            raise ValueError(f"a job's share of the loop is in (0, 1], not {share}")
        self.share = share
        self._running: set[asyncio.Task[Any]] = set()

    def add_job(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
        """Add ``func`` as a job that runs on the loop and is tracked while it runs."""
        return super().add_job(self._tracked(func), *args, **kwargs)

    def _tracked(self, func: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        running, rest_per_second = self._running, 1 / self.share - 1
        last = {"ended": float("-inf"), "took": 0.0}

        @functools.wraps(func)
        async def job(*args: Any, **kwargs: Any) -> Any:
            loop = asyncio.get_running_loop()
            if loop.time() - last["ended"] < last["took"] * rest_per_second:
                return None  # the last run was long: the loop is the people's for a while
            task = asyncio.current_task()
            if task is not None:
                running.add(task)
            started = loop.time()
            try:
                result = func(*args, **kwargs)
                return await result if inspect.isawaitable(result) else result
            finally:
                last["ended"] = loop.time()
                last["took"] = last["ended"] - started
                if task is not None:
                    running.discard(task)

        return job

    async def finish(self, timeout: float) -> None:
        """Start no more runs, wait up to ``timeout`` seconds for the running ones, shut down."""
        if self.running:
            self.pause()
        running = [task for task in self._running if not task.done()]
        if running:
            await asyncio.wait(running, timeout=timeout)
        if self.running:
            self.shutdown(wait=False)
