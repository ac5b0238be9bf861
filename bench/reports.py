"""How fast the staff reports answer: the triage queue's first page, every case statistic for
this quarter and this year, and the quarter's minimums, against a plain scan of the issues.

Run from the repository root: ``.venv/bin/python bench/reports.py``. One JSON object goes to
stdout, progress to stderr; the exit code is 0 when every target is met, 1 otherwise.

The database is a fresh SQLite file (migrated to head, reference data loaded, the app's own
WAL and busy-timeout engine), the default deployment. It holds ``--members`` (5,000) members
with ``--activities`` (200,000) liaison activities over 2025 and 2026, generated as
``bench/minimums.py`` does, and ``--issues`` (100,000) cases from 2025-01-01 to "now"
(2026-12-20, noon in Shanghai), generated as ``bench/reports_data.py`` describes. Everything
is written with Core bulk inserts.

Before anything is timed, every statistic for this quarter and this year, and the queue's
size, are checked against what the generator counted itself; the run fails loudly on a
mismatch. Then, each after a warm-up and repeated ``--repeat`` times with a fresh session:

- baseline: ``SELECT count(*), count(answered_at), max(updated_at) FROM issue``, an aggregate
  that must read every row of the table (no index holds those columns);
- the triage queue's first page (``services.cases.triage.queue_page``) for an administrator and for
  station staff of the busiest station;
- ``case_counts``, ``timings`` and ``satisfaction`` for this quarter and this year, and
  ``case_counts`` for the station staff's year;
- ``quarter_compliance`` for 2026 Q4 over the whole roster.

Targets (judged on the medians): every report under 1 s, the queue page under 50 ms. Each
operation's statements are traced once more (time and SQLite's query plan), so that a missed
target says where the time went. Drawing the chart and writing the workbook of the year's
case counts are timed too, for information.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

import bench.minimums as activities_bench  # noqa: E402
from bench.reports_data import NOW, PERIODS, TZ, Generated, issue_rows  # noqa: E402
from bot.heap import settle_heap  # noqa: E402
from bot.i18n import build_i18n  # noqa: E402
from services.accounts.scope import StaffScope  # noqa: E402
from services.cases.triage import queue_by_station, queue_page  # noqa: E402
from services.members.conditions_reports import count_reports  # noqa: E402
from services.reports.case_charts import cases_chart  # noqa: E402
from services.reports.case_workbook import cases_workbook  # noqa: E402
from services.reports.cases import Reach, case_counts  # noqa: E402
from services.reports.ratings import satisfaction  # noqa: E402
from services.reports.times import timings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.enums import IssueStatus  # noqa: E402
from storage.models import Issue, IssueCategory  # noqa: E402
from storage.queries import table_of  # noqa: E402

log = logging.getLogger("bench.reports")

TARGET_REPORT_MS = 1000.0
TARGET_QUEUE_MS = 50.0


class BenchError(Exception):
    """The services disagree with what the generator wrote."""


# --- loading ----------------------------------------------------------------------------------


async def load(db: Database, args: argparse.Namespace) -> tuple[Generated, dict[str, Any]]:
    """Members and activities (as the minimums benchmark makes them), then the cases."""
    started = time.perf_counter()
    async with db.session() as session:
        sector_rows = await session.execute(text("SELECT id FROM sector ORDER BY id"))
        station_rows = await session.execute(text("SELECT id FROM station ORDER BY sort_order, id"))
        ref = activities_bench.Reference(
            [row[0] for row in sector_rows], [row[0] for row in station_rows]
        )
        categories = {c.code: c for c in (await session.execute(select(IssueCategory))).scalars()}
    oracle = activities_bench.Oracle(activities_bench.BOOK.for_year(2026))
    members = await activities_bench.load(db, ref, args, oracle)
    tallies = await activities_bench.rebuild_tallies(db)
    members_done = time.perf_counter()
    rows, generated = issue_rows(args.issues, ref.station_ids, categories, args.members, args.seed)
    await activities_bench.bulk_insert(db, table_of(Issue), rows)
    finished = time.perf_counter()
    log.info("loaded %d cases in %.1f s", len(rows), finished - members_done)
    return generated, {
        "members_and_activities_seconds": members["seconds"],
        "tallies_seconds": tallies["total"],
        "issues_seconds": round(finished - members_done, 2),
        "seconds": round(finished - started, 2),
        "busiest_station_id": ref.station_ids[0],
    }


# --- checking ---------------------------------------------------------------------------------


def _near(a: dt.timedelta | None, seconds: list[float]) -> bool:
    expected = statistics.median(seconds) if seconds else None
    if a is None or expected is None:
        return a is None and expected is None
    return abs(a.total_seconds() - expected) <= 1.0


async def verify(db: Database, generated: Generated, station_id: int) -> dict[str, Any]:
    """Every statistic for both periods, and the queue's size, as the generator counted."""
    problems = []
    for name, expected in generated.periods.items():
        reach = Reach(expected.period, TZ)
        async with db.session() as session:
            counts = await case_counts(session, reach=reach)
            times = await timings(session, reach=reach, now=NOW)
            rated = await satisfaction(session, reach=reach)
        if dict(counts.by_status) != {s.value: expected.statuses[s.value] for s in IssueStatus}:
            problems.append(f"{name}: statuses {counts.by_status}")
        if {s.id: n for s, n in counts.by_station} != {
            s.id: expected.stations[s.id or 0] for s, _n in counts.by_station
        }:
            problems.append(f"{name}: stations")
        if {c.id: n for c, n in counts.by_category if n} != dict(expected.categories):
            problems.append(f"{name}: categories")
        o = times.overall
        if (o.answered, o.resolved) != (len(expected.answers), len(expected.resolutions)):
            problems.append(f"{name}: answered {o.answered}, resolved {o.resolved}")
        if (o.on_time, o.late, o.overdue) != (expected.on_time, expected.late, expected.overdue):
            problems.append(f"{name}: due date {o.on_time}/{o.late}/{o.overdue}")
        if not _near(o.median_first_answer, expected.answers) or not _near(
            o.median_resolution, expected.resolutions
        ):
            problems.append(f"{name}: medians {o.median_first_answer} {o.median_resolution}")
        r = rated.overall
        if r.distribution != {n: expected.ratings[n] for n in range(1, 6)}:
            problems.append(f"{name}: ratings {r.distribution}")
        if (r.solved_yes, r.solved_answers) != (expected.solved[True], expected.solved.total()):
            problems.append(f"{name}: solved {r.solved_yes}/{r.solved_answers}")
    async with db.session() as session:
        admin = await queue_page(session, scope=ADMIN)
        station = await queue_page(session, scope=station_scope(station_id))
    if admin.total != generated.waiting:
        problems.append(f"queue: {admin.total} waiting, {generated.waiting} generated")
    if station.total != generated.waiting_at[station_id]:
        problems.append(f"station queue: {station.total}")
    if problems:
        raise BenchError("; ".join(problems))
    return {
        name: {
            "cases": expected.statuses.total(),
            "answered": len(expected.answers),
            "rated": expected.ratings.total(),
        }
        for name, expected in generated.periods.items()
    } | {"queue_waiting": generated.waiting, "queue_waiting_station": station.total}


ADMIN = StaffScope(staff_id=0, name="bench admin", admin=True, station_ids=frozenset())


def station_scope(station_id: int) -> StaffScope:
    """Station staff who look after one station."""
    return StaffScope(
        staff_id=0, name="bench station", admin=False, station_ids=frozenset({station_id})
    )


# --- timing -----------------------------------------------------------------------------------


async def scan(db: Database) -> Any:
    """The baseline: an aggregate that reads every row of the issue table."""
    async with db.session() as session:
        return (await session.execute(text(SCAN_SQL))).one()


SCAN_SQL = "SELECT count(*), count(answered_at), max(updated_at) FROM issue"


def operations(db: Database, station_id: int) -> dict[str, Callable[[], Awaitable[Any]]]:
    """Every timed report, by name; each opens a session of its own."""

    def with_session(work: Callable[[Any], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
        async def run() -> Any:
            async with db.session() as session:
                return await work(session)

        return run

    async def queue_overview(session: AsyncSession, scope: StaffScope) -> Any:
        """What the queue button shows first: cases waiting per station, reports waiting."""
        return await queue_by_station(session, scope=scope), await count_reports(
            session, scope=scope
        )

    ops: dict[str, Callable[[], Awaitable[Any]]] = {
        "queue_overview_admin": with_session(lambda s: queue_overview(s, ADMIN)),
        "queue_overview_station": with_session(
            lambda s: queue_overview(s, station_scope(station_id))
        ),
        "queue_page_admin": with_session(lambda s: queue_page(s, scope=ADMIN)),
        "queue_page_station": with_session(
            lambda s: queue_page(s, scope=station_scope(station_id))
        ),
    }
    for name, period in PERIODS.items():
        reach = Reach(period, TZ, scope=ADMIN)
        ops[f"case_counts_{name}"] = with_session(lambda s, r=reach: case_counts(s, reach=r))
        ops[f"timings_{name}"] = with_session(lambda s, r=reach: timings(s, reach=r, now=NOW))
        ops[f"satisfaction_{name}"] = with_session(lambda s, r=reach: satisfaction(s, reach=r))
    staff_year = Reach(PERIODS["year"], TZ, scope=station_scope(station_id))
    ops["case_counts_year_station"] = with_session(lambda s: case_counts(s, reach=staff_year))
    ops["quarter_minimums"] = lambda: activities_bench.report(db)
    return ops


async def render_year(db: Database) -> dict[str, float]:
    """Drawing the chart and writing the workbook of the year's case counts, for information."""
    async with db.session() as session:
        counts = await case_counts(session, reach=Reach(PERIODS["year"], TZ))
    i18n = build_i18n("zh_CN")
    with i18n.context(), i18n.use_locale("zh_CN"):
        started = time.perf_counter()
        cases_chart(counts, PERIODS["year"], "zh_CN")
        drawn = time.perf_counter()
        cases_workbook(counts, PERIODS["year"], "全部", "zh_CN")
        written = time.perf_counter()
    return {
        "chart_ms": round((drawn - started) * 1000, 1),
        "xlsx_ms": round((written - drawn) * 1000, 1),
    }


async def measure(db: Database, station_id: int, times: int) -> dict[str, Any]:
    """The baseline and every report, each repeated on the same database."""
    log.info("timing, %d repetitions each ...", times)
    baseline = await activities_bench.repeat(times, lambda: scan(db))
    baseline["plan"] = await activities_bench.query_plan(db, SCAN_SQL)
    results: dict[str, Any] = {}
    for name, work in operations(db, station_id).items():
        timing = await activities_bench.repeat(times, work)
        timing["ratio_to_scan"] = round(timing["median_ms"] / baseline["median_ms"], 2)
        target = TARGET_QUEUE_MS if name.startswith("queue_") else TARGET_REPORT_MS
        timing["target_ms"] = target
        timing["passed"] = timing["median_ms"] < target
        timing["statements"] = await activities_bench.trace(db, work)
        results[name] = timing
        log.info("%s: %s ms (%s x scan)", name, timing["median_ms"], timing["ratio_to_scan"])
    return {"scan": baseline, "reports": results, "render": await render_year(db)}


# --- the run and the report -------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Build, check and time, in one process on one database."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as temp:
        db, _ref = await activities_bench.open_database(Path(temp))
        try:
            generated, loaded = await load(db, args)
            station_id = loaded["busiest_station_id"]
            checked = await verify(db, generated, station_id)
            settle_heap()
            timings_ = await measure(db, station_id, args.repeat)
            size = await scan(db)
        finally:
            await db.dispose()
    return {"load": loaded, "checks": checked, "issues_in_table": size[0], **timings_}


def summary(args: argparse.Namespace, phases: dict[str, Any]) -> dict[str, Any]:
    """The JSON report; targets are judged on the medians."""
    reports = phases["reports"]
    return {
        "benchmark": "reports",
        "database": "sqlite",
        "issues": args.issues,
        "issues_in_table": phases["issues_in_table"],
        "members": args.members,
        "activities": args.activities,
        "now": NOW.isoformat(),
        "load": phases["load"],
        "checks": phases["checks"],
        "scan": phases["scan"],
        "medians_ms": {name: timing["median_ms"] for name, timing in reports.items()},
        "reports": reports,
        "render_info": phases["render"],
        "targets": {"report_ms": TARGET_REPORT_MS, "queue_page_ms": TARGET_QUEUE_MS},
        "passed": all(timing["passed"] for timing in reports.values()),
        "repeat": args.repeat,
        "seed": args.seed,
        "python": platform.python_version(),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
        },
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--issues", type=int, default=100_000, help="cases, 2025 to now")
    parser.add_argument("--members", type=int, default=5_000, help="members on the roster")
    parser.add_argument("--activities", type=int, default=200_000, help="activities, 2025-26")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each operation")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    args = parser.parse_args(argv)
    if args.issues < 100 or args.members < 10 or args.activities < 1 or args.repeat < 1:
        parser.error("need at least 100 cases, 10 members, 1 activity and 1 repetition")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the JSON, return the exit code."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    activities_bench.log.setLevel(logging.INFO)
    started = time.perf_counter()
    result = summary(args, asyncio.run(run(args)))
    result["run_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
