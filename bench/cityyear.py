"""A year (or a month) of a city committee through the real app, on one or three workers.

Run from the repository root: ``.venv/bin/python bench/cityyear.py [--scale month]``. One JSON
object goes to stdout, progress to stderr; the exit code is 0 when every target is met.

The app is ``liaison run`` (one worker on SQLite, or three on PostgreSQL and Redis), set up with
the operator's commands and driven only as its users' platforms do: residents, members, staff
and department handlers are simulated Telegram users on the in-repo fake Bot API (this
process), every step a real dialog. The app's clock is compressed (``--speed``; the year in
minutes) and shared by every worker. The scenario (``cityyear_scenario``) comes from
``--seed`` alone. Faults: a worker killed mid-delivery and restarted, a 429 storm; on three
workers also Redis connections and PostgreSQL connections dropped.

Printed per topology (see ``cityyear_tally`` for the exact definitions): the shares of cases
answered by their due date, late, and escalated (summing to 100 %), with the reminder rules
checked; reminders planned vs sent, lost and sent twice; members meeting the quarter minimum
before and after the reminders; broadcasts delivered exactly once; the wall time, the updates
a second and each worker's peak memory. With both topologies, the counts that do not depend on
timing must agree: what people did of their own accord (reports, with their locations and
photos, activities, leave requests). What follows an answer (ratings, reopenings, hand-backs)
depends on how far the office kept up within the period and is printed beside them.

Targets: every step of every simulated person succeeded; shares sum to 100 %; no reminder
rule missed; 0 reminders or broadcasts lost, none sent twice beyond the rows in flight when a
worker was killed (the delivery guarantee: at least once, duplicates bounded by what was in
flight, since a message Telegram took but the dead worker had not yet recorded is sent
again); the period's
wall time under ``--budget`` seconds (900); the timing-free counts equal across topologies.
``--profile`` runs the worker under cProfile (files next to the worker logs, kept).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.cityyear_app import Topology  # noqa: E402
from bench.cityyear_run import run_topology  # noqa: E402
from bench.cityyear_scenario import build  # noqa: E402
from tests.support.processes import free_port  # noqa: E402

log = logging.getLogger("bench.cityyear")
# Cases, members, and the clock's speed: the month at a speed this 2-core machine keeps up with.
SCALES = {"year": (100_000, 500, 40_000.0), "month": (150, 60, 10_000.0)}
POSTGRES_ADMIN = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/11"


async def fresh_postgres(name: str) -> str:
    """Drop and create ``name``; its SQLAlchemy URL."""
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/{name}"


async def fresh_redis(url: str) -> None:
    """Empty our own Redis database (db 11) and nothing else."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def one_topology(name: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Build the scenario and run it on one topology."""
    scenario = build(args.seed, scale=args.scale, cases=args.cases, members=args.members)
    options: dict[str, Any] = {
        "faults": not args.no_faults,
        "drain": args.drain,
        "profile": work / "profile" if args.profile else None,
        "postgres_admin_dsn": POSTGRES_ADMIN,
    }
    if name == "single":
        topology = Topology(name, f"sqlite+aiosqlite:///{work}/liaison.db", None, [free_port()])
    else:
        url = await fresh_postgres(f"cityyear_{args.seed}_{os.getpid()}")
        await fresh_redis(REDIS_URL)
        topology = Topology(name, url, REDIS_URL, [free_port() for _ in range(3)])
    result = await run_topology(topology, scenario, args.speed, work, options)
    result["scenario"] = scenario.counts()
    return result


def judge(result: dict[str, Any], budget: float) -> dict[str, bool]:
    """Each target of one topology."""
    cases, reminders, broadcasts = result["cases"], result["reminders"], result["broadcasts"]
    in_flight = sum(fault.get("rows_sending_at_kill", 0) for fault in result["faults"])
    return {
        "every_step_succeeded": not result["failures"],
        "case_shares_sum_to_100": abs(cases["shares_sum_percent"] - 100.0) < 0.05,
        "reminder_rules_kept": not cases["reminder_rule_misses"],
        "reminders_none_lost": reminders["lost"] == 0,
        "reminders_sent_twice_only_if_in_flight_at_a_kill": reminders["sent_twice"] <= in_flight,
        "broadcasts_none_lost": broadcasts["lost"] == 0,
        "broadcasts_sent_twice_only_if_in_flight_at_a_kill": broadcasts["sent_twice"] <= in_flight,
        "within_budget": result["period_wall_seconds"] <= budget,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; ``--cases``, ``--members`` and ``--speed`` default by scale."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--topology", choices=["single", "three", "both"], default="both")
    parser.add_argument("--scale", choices=list(SCALES), default="year")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cases", type=int, help="resident cases (year 100,000; month 150)")
    parser.add_argument("--members", type=int, help="members on the roster (year 500; month 60)")
    parser.add_argument("--speed", type=float, help="bot seconds per real second")
    parser.add_argument(
        "--budget", type=float, default=900.0, help="wall seconds a period may take"
    )
    parser.add_argument("--drain", type=float, default=20.0, help="seconds to send what is due")
    parser.add_argument("--no-faults", action="store_true", help="run without fault injection")
    parser.add_argument("--profile", action="store_true", help="cProfile the workers")
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this folder")
    args = parser.parse_args(argv)
    cases, members, speed = SCALES[args.scale]
    args.cases = args.cases or cases
    args.members = args.members or members
    args.speed = args.speed or speed
    return args


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Each chosen topology in turn, then the comparison."""
    names = ["single", "three"] if args.topology == "both" else [args.topology]
    results: dict[str, Any] = {}
    for name in names:
        work = Path(tempfile.mkdtemp(prefix=f"cityyear-{name}-", dir=args.keep))
        log.info("%s: running in %s", name, work)
        try:
            results[name] = await one_topology(name, args, work)
            results[name]["targets"] = judge(results[name], args.budget)
        except Exception as error:  # the JSON must say what went wrong, whatever it was
            log.exception("%s failed", name)
            results[name] = {"error": f"{type(error).__name__}: {error}", "targets": {"ran": False}}
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
    agreement = None
    if len(results) == 2 and all("timing_free_counts" in r for r in results.values()):
        single, three = (results[name]["timing_free_counts"] for name in names)
        agreement = {"agree": single == three, "single": single, "three": three}
    return {"topologies": results, "timing_free_agreement": agreement}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; JSON on stdout; 0 when every target is met."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    outcome = asyncio.run(run(args))
    passed = all(all(result["targets"].values()) for result in outcome["topologies"].values()) and (
        outcome["timing_free_agreement"] is None or outcome["timing_free_agreement"]["agree"]
    )
    report = {
        "benchmark": "cityyear",
        "scale": args.scale,
        "seed": args.seed,
        "cases": args.cases,
        "members": args.members,
        "speed": args.speed,
        **outcome,
        "passed": passed,
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }
    print(json.dumps(report, ensure_ascii=False, default=str))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
