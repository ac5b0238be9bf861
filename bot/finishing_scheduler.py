"""An asyncio scheduler whose stop lets the running jobs finish rather than cancelling them.

APScheduler's asyncio executor cancels the jobs still running when the scheduler shuts down:
a planner job cut off in the middle of a transaction logs a traceback and leaves its work for
the next leader. Every job here is an asyncio task on the loop (a plain function too, rather
than a thread of the executor's pool, where it must not touch the loop's objects), and
:meth:`FinishingScheduler.finish` stops new runs and waits for the running ones.
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

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._running: set[asyncio.Task[Any]] = set()

    def add_job(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
        """Add ``func`` as a job that runs on the loop and is tracked while it runs."""
        return super().add_job(self._tracked(func), *args, **kwargs)

    def _tracked(self, func: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        running = self._running

        @functools.wraps(func)
        async def job(*args: Any, **kwargs: Any) -> Any:
            task = asyncio.current_task()
            if task is not None:
                running.add(task)
            try:
                result = func(*args, **kwargs)
                return await result if inspect.isawaitable(result) else result
            finally:
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
