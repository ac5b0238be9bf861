"""The scheduler's stop waits for a running job, and plain functions run on the loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

from bot.finishing_scheduler import FinishingScheduler


def soon() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def test_finish_lets_a_running_job_complete_instead_of_cancelling_it() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    outcome: list[str] = []

    async def job() -> None:
        started.set()
        try:
            await release.wait()
            outcome.append("finished")
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    scheduler = FinishingScheduler(timezone=dt.UTC)
    scheduler.add_job(job, next_run_time=soon())
    scheduler.start()
    await asyncio.wait_for(started.wait(), timeout=10)
    finishing = asyncio.create_task(scheduler.finish(timeout=10))
    await asyncio.sleep(0)  # finish() is waiting now, the job still runs
    assert not finishing.done()
    release.set()
    await asyncio.wait_for(finishing, timeout=10)
    assert outcome == ["finished"]
    assert not scheduler.running


async def test_a_job_that_outlives_the_timeout_is_left_to_the_shutdown() -> None:
    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.Event().wait()

    scheduler = FinishingScheduler(timezone=dt.UTC)
    scheduler.add_job(stuck, next_run_time=soon())
    scheduler.start()
    await asyncio.wait_for(started.wait(), timeout=10)
    await asyncio.wait_for(scheduler.finish(timeout=0.05), timeout=10)
    assert not scheduler.running


async def test_a_plain_function_runs_on_the_loop_thread_under_its_own_name() -> None:
    ran = asyncio.Event()
    threads: list[int] = []

    def wake() -> None:
        threads.append(threading.get_ident())
        ran.set()

    scheduler = FinishingScheduler(timezone=dt.UTC)
    job = scheduler.add_job(wake, next_run_time=soon())
    assert (
        job.name == "test_a_plain_function_runs_on_the_loop_thread_under_its_own_name.<locals>.wake"
    )
    scheduler.start()
    await asyncio.wait_for(ran.wait(), timeout=10)
    await scheduler.finish(timeout=1)
    assert threads == [threading.get_ident()]


async def test_a_long_run_gives_the_loop_back_before_the_next_one() -> None:
    runs: list[str] = []

    async def slow() -> str:
        await asyncio.sleep(0.05)  # the run's own work, taking a twentieth of a second
        runs.append("slow")
        return "planned"

    def quick() -> str:
        runs.append("quick")
        return "planned"

    scheduler = FinishingScheduler(share=0.2, timezone=dt.UTC)
    slow_job = scheduler.add_job(slow, "interval", hours=1)
    quick_job = scheduler.add_job(quick, "interval", hours=1)
    assert await slow_job.func() == "planned"
    # Four times its own length must pass first: straight after, the run is skipped.
    assert await slow_job.func() is None
    # Each job keeps its own pace: the other one runs.
    assert await quick_job.func() == "planned"
    assert runs == ["slow", "quick"]


def test_a_share_outside_the_loop_is_refused() -> None:
    for share in (0.0, 1.5):
        try:
            FinishingScheduler(share=share)
        except ValueError:
            continue
        raise AssertionError(f"share {share} was taken")
