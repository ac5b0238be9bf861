"""One topology's run: set up, link the chats, play the period, drain, stop, tally.

1. The operator's commands (``cityyear_setup``) on a fresh database, with the clock pinned
   three days before the period.
2. The workers start on that pinned clock at real speed, every invited person links their
   chat, and the office sets up the meetings due to be set up before the period (at the
   compressed speed a command's seconds are days); then the workers stop (SIGINT).
3. They start again on the compressed clock (start one day before the period, the given
   speed, origin = that wall moment), and ``cityyear_year.Year`` plays the period, with the
   faults that apply to the topology.
4. After the period, the workers get up to ``drain`` real seconds to send what is due, and
   stop. Then the tally reads the database and the fake's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, web
from sqlalchemy import func, select
from sqlmodel import col

from bench import cityyear_faults as faults
from bench import cityyear_tally as tally
from bench.cityyear_app import (
    WEBHOOK_SECRET,
    Calendar,
    Topology,
    Worker,
    base_env,
    clock_env,
    run_cli,
)
from bench.cityyear_platform import CityFake
from bench.cityyear_scenario import LOCAL, Meeting, Scenario
from bench.cityyear_setup import issue_invitations, link_chats, operator_commands
from bench.cityyear_year import Year, invitation, set_up_before
from services.clock import ShiftedClock
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger("bench.cityyear")
WEBHOOK_PATH = "/telegram/webhook"


async def round_robin_front(ports: list[int]) -> tuple[web.AppRunner, int]:
    """A load balancer for Telegram's POSTs: each goes to the next worker in turn."""
    turn = {"next": 0}
    client = ClientSession()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        for _attempt in range(len(ports)):
            port = ports[turn["next"] % len(ports)]
            turn["next"] += 1
            with contextlib.suppress(OSError):
                async with client.post(
                    f"http://127.0.0.1:{port}{WEBHOOK_PATH}", data=body, headers=request.headers
                ) as answer:
                    return web.Response(status=answer.status, body=await answer.read())
        return web.Response(status=502)

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, forward)
    app.on_cleanup.append(lambda _app: client.close())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, int(runner.addresses[0][1])


async def unsent_due(db: Database, now: dt.datetime) -> int:
    """Rows due by ``now`` that are not finished."""
    async with db.session() as session:
        query = select(func.count()).where(
            col(OutboxMessage.state).in_(["pending", "sending"]), col(OutboxMessage.due_at) <= now
        )
        return int((await session.execute(query)).scalar_one())


async def run_topology(
    topology: Topology, scenario: Scenario, speed: float, work: Path, options: dict[str, Any]
) -> dict[str, Any]:
    """The whole run on one topology; its figures."""
    started = time.monotonic()
    fake = CityFake()
    await fake.start()
    front: web.AppRunner | None = None
    env = base_env(topology, fake.base_url, work / "var")
    env["LIAISON_DELIVERY_RATE"] = "1000"
    env["LIAISON_PAID_BROADCAST"] = "true"
    if len(topology.ports) > 1:
        front, front_port = await round_robin_front(topology.ports)
        env["LIAISON_WEBHOOK_URL"] = f"http://127.0.0.1:{front_port}{WEBHOOK_PATH}"
        env["LIAISON_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    setup_moment = scenario.start - dt.timedelta(days=3)
    pinned = {**env, "LIAISON_CLOCK_START": setup_moment.isoformat()}
    workers = [Worker(port, pinned, work, work / f"worker-{port}.log") for port in topology.ports]
    sampler: asyncio.Task[None] | None = None
    try:
        outputs = await asyncio.to_thread(operator_commands, scenario, pinned, work)
        invitations = await issue_invitations(
            scenario, topology.database_url, ShiftedClock(setup_moment)
        )
        await asyncio.gather(*(worker.start() for worker in workers))
        linked = await link_chats(fake, invitations)
        set_up: dict[int, str] = {}
        for meeting in set_up_before(scenario):
            invite = invitation(scenario, meeting)[1]
            set_up[meeting.index] = await add_meeting(meeting, invite, pinned, work)
        setup_seconds = time.monotonic() - started
        log.info("%s: set up and %s chats linked in %.0f s", topology.name, linked, setup_seconds)
        await asyncio.gather(*(worker.stop() for worker in workers))
        calendar = Calendar(scenario.start - dt.timedelta(days=1), speed, dt.datetime.now(dt.UTC))
        for worker in workers:
            worker.env = {**env, **clock_env(calendar)}
        await asyncio.gather(*(worker.start(options.get("profile")) for worker in workers))
        sampler = asyncio.create_task(sample_memory(workers))
        pushed_before = fake.updates_pushed
        year_started = time.monotonic()
        db = Database(topology.database_url)
        year = Year(
            fake,
            scenario,
            calendar,
            add_meeting=lambda meeting, invite: add_meeting(
                meeting, invite, {**env, **clock_env(calendar)}, work
            ),
            faults=fault_plan(topology, scenario, workers, db, fake, options),
            set_up=set_up,
        )
        await year.run()
        period_seconds = time.monotonic() - year_started
        drain_deadline = time.monotonic() + options.get("drain", 60.0)
        # The database, not this process, knows when the outbox is done: poll it.
        while await unsent_due(db, calendar.now()) and time.monotonic() < drain_deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        await asyncio.gather(*(worker.stop() for worker in workers))
        stopped = calendar.now()
        outages = outage_windows(year.fault_reports, calendar.speed, len(workers))
        figures = await tally_figures(db, fake, scenario, calendar, stopped, outages)
        await db.dispose()
    finally:
        if sampler is not None:
            sampler.cancel()
        for worker in workers:
            with contextlib.suppress(Exception):
                await worker.stop(5)
            worker.close()
        if front is not None:
            await front.cleanup()
        await fake.stop()
    updates = fake.updates_pushed - pushed_before
    return {
        "topology": topology.name,
        "workers": len(workers),
        "database": topology.database_url.split(":", 1)[0],
        "speed": speed,
        "setup": {"seconds": round(setup_seconds, 1), "chats_linked": linked, **outputs},
        "period_wall_seconds": round(period_seconds, 1),
        "wall_seconds": round(time.monotonic() - started, 1),
        "updates_sent_to_the_app": updates,
        "updates_per_second": round(updates / max(period_seconds, 1e-9), 1),
        "done": dict(year.tallies.done),
        "failures": dict(year.tallies.failures),
        "failure_samples": year.tallies.samples,
        "faults": year.fault_reports,
        "peak_memory_mib": {str(w.port): round(w.peak_kib / 1024, 1) for w in workers},
        "worker_restarts": sum(max(0, w.starts - 2) for w in workers),
        **figures,
    }


async def sample_memory(workers: list[Worker]) -> None:
    """Keep each worker's peak resident memory while it lives."""
    while True:
        for worker in workers:
            worker.sample_memory()
        await asyncio.sleep(1.0)


async def add_meeting(meeting: Meeting, invite: list[str], env: dict[str, str], work: Path) -> str:
    """``liaison meetings add`` on the clock ``env`` names, as the office does it: its output.

    Several may run at once: at the compressed clock's speed a command's ten seconds are days,
    and one waiting behind another would set its meeting up after it began.
    """
    day = meeting.start.astimezone(LOCAL).date().isoformat()
    args = [
        "meetings", "add", "--kind", meeting.kind, "--title", meeting.title,
        "--start", f"{day}T09:00", "--end", f"{day}T17:30", "--venue", "City hall, room 3",
        *invite,
    ]  # fmt: skip
    return await asyncio.to_thread(run_cli, args, env, work)


def fault_plan(
    topology: Topology,
    scenario: Scenario,
    workers: list[Worker],
    db: Database,
    fake: CityFake,
    options: dict[str, Any],
) -> list[tuple[dt.datetime, Any]]:
    """When each fault strikes, as a share of the period."""
    if not options.get("faults", True):
        return []
    span = scenario.last_case_at - scenario.start

    def moment(share: float) -> dt.datetime:
        return (scenario.start + span * share).replace(hour=10, minute=30)

    plan: list[tuple[dt.datetime, Any]] = [
        (moment(0.35), lambda: faults.kill_mid_delivery(workers[0], db)),
        (moment(0.6), lambda: faults.storm_429(fake)),
    ]
    if topology.redis_url:
        plan.append((moment(0.7), lambda: faults.drop_redis_clients(str(topology.redis_url))))
    if topology.database_url.startswith("postgresql"):
        name = topology.database_url.rsplit("/", 1)[1]
        admin = options["postgres_admin_dsn"]
        plan.append((moment(0.8), lambda: faults.drop_postgres_connections(admin, name)))
    return plan


def outage_windows(
    reports: list[dict[str, Any]], speed: float, workers: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """When no worker ran, in the bot's time: a lone worker's kill until it was back."""
    if workers > 1:
        return []  # another worker took the lead within a lease
    windows = []
    for report in reports:
        if "restart_seconds" in report:
            back = dt.datetime.fromisoformat(report["at"]) + dt.timedelta(minutes=1)
            windows.append((back - dt.timedelta(seconds=report["restart_seconds"] * speed), back))
    return windows


async def tally_figures(
    db: Database,
    fake: CityFake,
    scenario: Scenario,
    calendar: Calendar,
    stopped: dt.datetime,
    outages: list[tuple[dt.datetime, dt.datetime]],
) -> dict[str, Any]:
    """Every figure the report prints, from the database and the fake's log."""
    planner = dt.timedelta(seconds=max(60.0, 0.2 * calendar.speed))
    start = scenario.start.astimezone(LOCAL)
    quarters = sorted({(day.month - 1) // 3 + 1 for day in (start, scenario.last_case_at)})
    return {
        "cases": await tally.case_figures(db, planner, stopped, outages),
        "reminders": await tally.delivery_figures(db, fake.accepted, tally.REMINDER_KINDS, False),
        "broadcasts": await tally.delivery_figures(db, fake.accepted, None, True),
        "all_notices": await tally.delivery_figures(db, fake.accepted, None, False),
        "quarter_minimum": await tally.minimum_figures(db, start.year, quarters),
        "timing_free_counts": await tally.timing_free_counts(db),
        "after_answer_counts": await tally.after_answer_counts(db),
        "fake": {
            "accepted": len(fake.accepted),
            "answered_429": fake.stats["statuses"][429],
            "actions_repeated_after_silence": fake.repeated_actions,
            "methods": dict(fake.method_count.most_common(8)),
        },
    }
