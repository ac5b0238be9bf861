"""How fast proposals and outcomes read: the quarterly chase list, the year's three lists and
one department's open items, against a plain scan of the suggestion and handling tables.

Run from the repository root: ``.venv/bin/python bench/outcomes.py``. One JSON object goes to
stdout, progress to stderr; the exit code is 0 when every target is met, 1 otherwise.

Method. A fresh SQLite file (migrated to head, reference data loaded, the app's engine)
receives, bulk-loaded with Core inserts, ``--departments`` (40) departments, 200 members,
``--proposals`` (2,000) proposals of 2026 with ``--items`` (6) items each, and ``--outcomes``
(500) outcomes with ``--suggestions`` (5) suggestions each, spread over the year. Proposals
stand at every state from registered to closed (10 / 40 / 25 / 5 / 20 %); outcome
suggestions at every one of the six stages. Assigned items have a lead department (and a
co-department one time in three) with a due date, some past; answered items an answer and
an adoption; re-handled items a second round; closed proposals the member's rating; some fed
back suggestions residents' and look-back ratings.

Before timing, the lists are checked against what was loaded: every item of a registered
proposal and every outcome suggestion of 2026 is on the problem list, every answered lead
handling's item on the outcome list, and the adoption counts add up to it.

Timed, each after a warm-up and ``--repeat`` times in a fresh session: the baseline, a full
scan of the suggestion and handling tables (``count`` and ``max`` of unindexed columns); the
quarterly chase list (:func:`services.pipeline.review_report.review_report` for 2026 Q4);
the year's three lists with adoption counts (:func:`services.pipeline.list_counts.pipeline_lists`);
the open items of the department with the most (unanswered handling rows through
``ix_handling_department_open``, joined to their suggestions). Targets (medians): chase list
plus lists under 1 s, one department's open items under 50 ms. Ratios to the baseline are
reported.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlmodel import col  # noqa: E402

from bench.assessment import bulk  # noqa: E402
from services.calendar import Quarter  # noqa: E402
from services.demo.data import load_reference_data, read_demo_data  # noqa: E402
from services.pipeline.config import PipelineRules  # noqa: E402
from services.pipeline.list_counts import PipelineLists, pipeline_lists  # noqa: E402
from services.pipeline.review_report import ReviewReport, review_report  # noqa: E402
from services.reports.cases import Period  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.enums import STAGE_ORDER, Stage  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Department,
    Handling,
    Member,
    Outcome,
    PipelineRating,
    Proposal,
    Sector,
    Suggestion,
)
from storage.queries import table_of  # noqa: E402

log = logging.getLogger("bench.outcomes")
YEAR = 2026
TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 31, 4, 0, tzinfo=dt.UTC)
RULES = PipelineRules()
TARGET_CHASE_AND_LISTS_MS = 1000.0
TARGET_OPEN_ITEMS_MS = 50.0
MEMBERS = 200
STATES = {"registered": 10, "assigned": 40, "answered": 25, "rehandling": 5, "closed": 20}
ADOPTIONS = ["adopted", "partly", "explained"]
CONSULTATIONS = ["plenary", "standing", "thematic", "bimonthly", "sector", "research", "report"]


class BenchError(Exception):
    """The lists disagree with what was loaded."""


def moment(rng: random.Random, first: int = 0, last: int = 330) -> dt.datetime:
    """A working hour of a day of the year (day ``first`` to ``last``), in UTC."""
    day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(first, last))
    return dt.datetime.combine(day, dt.time(rng.randrange(1, 9)), tzinfo=dt.UTC)


class Loader:
    """Builds the rows in memory with known ids, then writes each table in bulk."""

    def __init__(self, args: argparse.Namespace, departments: list[int]) -> None:
        self.rng = random.Random(args.seed)
        self.args = args
        self.departments = departments
        self.suggestions: list[dict[str, Any]] = []
        self.handlings: list[dict[str, Any]] = []
        self.ratings: list[dict[str, Any]] = []
        self.answered_leads = 0

    def _handle(
        self, sid: int, assigned: dt.datetime, *, answered: bool, rounds: int = 1
    ) -> str | None:
        """A lead (and maybe a co-department) handling of item ``sid``; the lead's adoption."""
        rng = self.rng
        lead, co = rng.sample(self.departments, 2)
        adoption = rng.choice(ADOPTIONS) if answered else None
        for round_ in range(1, rounds + 1):
            start = assigned + dt.timedelta(days=40 * (round_ - 1))
            last = round_ == rounds
            done = answered or not last
            for department, is_lead in ((lead, True), (co, False)):
                if not is_lead and rng.random() > 1 / 3:
                    continue
                answered_at = start + dt.timedelta(days=rng.randint(5, 35)) if done else None
                self.handlings.append(
                    {
                        "suggestion_id": sid, "department_id": department, "lead": is_lead,
                        "round": round_, "assigned_at": start,
                        "due_at": start + dt.timedelta(days=30 if round_ > 1 else 90),
                        "answer": "已办理" if done else None,
                        "adoption": (adoption or rng.choice(ADOPTIONS)) if done else None,
                        "answered_at": answered_at, "answered_by": "科长" if done else None,
                    }
                )  # fmt: skip
        # A re-handled item keeps its first answer on the list until the second comes.
        if answered or rounds > 1:
            self.answered_leads += 1
        return adoption

    def proposals(self) -> list[dict[str, Any]]:
        """The proposals, their items and their handling."""
        rng, rows = self.rng, []
        states = rng.choices(list(STATES), weights=list(STATES.values()), k=self.args.proposals)
        for pid, state in enumerate(states, start=1):
            submitted = moment(rng, 0, 300)
            assigned = submitted + dt.timedelta(days=rng.randint(3, 20))
            answered = state in ("answered", "closed")
            closed = state == "closed"
            rows.append(
                {
                    "id": pid, "year": YEAR, "number": f"{YEAR}-T-{pid:04d}",
                    "title": f"关于第{pid}号问题的提案", "submitted_on": submitted.date(),
                    "state": state, "situation": "情况", "source": "chat",
                    "member_id": 1 + pid % MEMBERS, "public": rng.random() < 0.3,
                    "satisfaction": rng.choice(["satisfied", "basic", "unsatisfied"])
                    if closed else None,
                    "rated_at": assigned + dt.timedelta(days=50) if closed else None,
                    "created_at": submitted, "updated_at": submitted,
                }
            )  # fmt: skip
            for position in range(1, self.args.items + 1):
                sid = len(self.suggestions) + 1
                self.suggestions.append(
                    {"id": sid, "proposal_id": pid, "position": position,
                     "text": f"建议{position}", "stage": "formed", "stage_at": submitted}
                )  # fmt: skip
                if state != "registered":
                    rounds = 2 if state == "rehandling" else 1
                    self._handle(sid, assigned, answered=answered, rounds=rounds)
        return rows

    def outcomes(self) -> list[dict[str, Any]]:
        """The outcomes, their suggestions at every stage, handling and ratings."""
        rng, rows = self.rng, []
        handled_from = STAGE_ORDER.index(Stage.HANDLED)
        for oid in range(1, self.args.outcomes + 1):
            # Early enough that every answer of the year falls in the year.
            created = moment(rng, 0, 260)
            rows.append(
                {
                    "id": oid, "year": YEAR, "number": f"{YEAR}-C-{oid:04d}",
                    "title": f"协商成果{oid}", "source": "meeting",
                    "consultation": rng.choice(CONSULTATIONS),
                    "topic": f"长线{oid % 12}" if oid % 5 == 0 else None,
                    "key": oid % 10 == 0, "created_at": created, "updated_at": created,
                }
            )  # fmt: skip
            for position in range(1, self.args.suggestions + 1):
                sid = len(self.suggestions) + 1
                stage = rng.choice(STAGE_ORDER)
                index = STAGE_ORDER.index(stage)
                moved = created + dt.timedelta(days=10 * index + rng.randint(0, 9))
                adoption = None
                if stage in (Stage.ASSIGNED, Stage.HANDLED, Stage.FED_BACK):
                    adoption = self._handle(sid, moved, answered=index >= handled_from)
                self.suggestions.append(
                    {"id": sid, "outcome_id": oid, "position": position, "text": f"建议{position}",
                     "stage": stage, "stage_at": moved, "adoption": adoption}
                )  # fmt: skip
                if stage == Stage.FED_BACK:
                    for purpose, kind in (("resident", "resident"), ("lookback", "member")):
                        if rng.random() < 0.5:
                            self.ratings.append(
                                {"subject": f"suggestion:{sid}", "purpose": purpose,
                                 "rater_kind": kind, "rater_id": 1 + sid % MEMBERS, "round": 1,
                                 "department_id": 0,
                                 "value": rng.choice(["satisfied", "basic", "unsatisfied"]),
                                 "created_at": moved + dt.timedelta(days=15)}
                            )  # fmt: skip
        return rows


async def load(db: Database, args: argparse.Namespace) -> tuple[dict[str, int], Loader]:
    """Departments, members, proposals, outcomes, suggestions, handlings and ratings."""
    async with db.session() as session:
        sectors = list((await session.execute(select(col(Sector.id)))).scalars())
        taken = (await session.execute(text("SELECT coalesce(max(id), 0) FROM department"))).one()
    created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    first = int(taken[0]) + 1
    departments = list(range(first, first + args.departments))
    counts = {
        "department": await bulk(
            db,
            table_of(Department),
            (
                {"id": d, "code": f"bench-{d}", "name_zh": f"部门{d}", "name_en": f"Dept {d}",
                 "created_at": created, "updated_at": created}
                for d in departments
            ),
        ),
        "member": await bulk(
            db,
            table_of(Member),
            (
                {"id": n, "code": f"B{n:04d}", "name": f"委员{n}",
                 "sector_id": sectors[n % len(sectors)], "assessment_group": "local",
                 "status": "active", "term": "2023-2028",
                 "created_at": created, "updated_at": created}
                for n in range(1, MEMBERS + 1)
            ),
        ),
    }  # fmt: skip
    loader = Loader(args, departments)
    counts["proposal"] = await bulk(db, table_of(Proposal), loader.proposals())
    counts["outcome"] = await bulk(db, table_of(Outcome), loader.outcomes())
    columns = ("proposal_id", "outcome_id", "adoption")
    rows = ({**dict.fromkeys(columns), **row} for row in loader.suggestions)
    counts["suggestion"] = await bulk(db, table_of(Suggestion), rows)
    counts["handling"] = await bulk(db, table_of(Handling), loader.handlings)
    counts["pipeline_rating"] = await bulk(db, table_of(PipelineRating), loader.ratings)
    return counts, loader


async def lists_of_year(db: Database) -> PipelineLists:
    """The year's three lists with adoption counts, in a session of its own."""
    async with db.session() as session:
        return await pipeline_lists(session, period=Period.of_year(YEAR), tz=TZ)


async def chase_list(db: Database) -> ReviewReport:
    """The quarter's stuck suggestions and overdue departments, in a session of its own."""
    async with db.session() as session:
        return await review_report(session, quarter=Quarter(YEAR, 4), now=NOW, tz=TZ, rules=RULES)


async def open_items(db: Database, department_id: int) -> list[Any]:
    """One department's unanswered items, soonest due first, with their suggestions."""
    async with db.session() as session:
        query = (
            select(col(Handling.id), col(Handling.due_at), col(Suggestion.id), col(Suggestion.text))
            .join(Suggestion, col(Suggestion.id) == col(Handling.suggestion_id))
            .where(
                col(Handling.department_id) == department_id, col(Handling.answered_at).is_(None)
            )
            .order_by(col(Handling.due_at), col(Handling.id))
        )
        return list(await session.execute(query))


async def scan(db: Database) -> Any:
    """The baseline: every row of both tables, read through unindexed columns."""
    async with db.session() as session:
        suggestions = await session.execute(
            text("SELECT count(*), max(length(text)), max(review_by) FROM suggestion")
        )
        handlings = await session.execute(
            text("SELECT count(*), max(length(answer)), max(answered_by) FROM handling")
        )
        return suggestions.one(), handlings.one()


async def repeat(times: int, work: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    """A warm-up, then ``times`` timed calls: best and median in milliseconds."""
    await work()
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        await work()
        seconds.append(time.perf_counter() - started)
    return {
        "best_ms": round(min(seconds) * 1000, 2),
        "median_ms": round(statistics.median(seconds) * 1000, 2),
    }


def check(lists: PipelineLists, loader: Loader, args: argparse.Namespace) -> None:
    """The lists hold what was loaded (every loaded row belongs to 2026)."""
    expected = args.proposals * args.items + args.outcomes * args.suggestions
    if len(lists.problems) != expected:
        raise BenchError(f"{len(lists.problems)} problems for {expected} suggestions")
    if len(lists.handled) != loader.answered_leads:
        raise BenchError(f"{len(lists.handled)} answered for {loader.answered_leads}")
    counted = sum(c.total for c in lists.by_department)
    if counted != len(lists.handled) or sum(c.total for c in lists.by_source) != counted:
        raise BenchError(f"adoption counts {counted} for {len(lists.handled)} answers")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load, check, time."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as temp:
        db = Database(f"sqlite+aiosqlite:///{Path(temp) / 'bench.db'}")
        try:
            await upgrade(db)
            async with db.writing() as session:
                await load_reference_data(session, read_demo_data())
            started = time.perf_counter()
            counts, loader = await load(db, args)
            loaded = round(time.perf_counter() - started, 2)
            log.info("loaded %s in %s s", counts, loaded)
            lists = await lists_of_year(db)
            check(lists, loader, args)
            report = await chase_list(db)
            open_by = Counter(
                h["department_id"] for h in loader.handlings if h["answered_at"] is None
            )
            busiest, busiest_open = open_by.most_common(1)[0] if open_by else (0, 0)
            if len(await open_items(db, busiest)) != busiest_open:
                raise BenchError(f"department {busiest}: open items disagree")
            baseline = await repeat(args.repeat, lambda: scan(db))
            chase = await repeat(args.repeat, lambda: chase_list(db))
            year = await repeat(args.repeat, lambda: lists_of_year(db))
            department = await repeat(args.repeat, lambda: open_items(db, busiest))
        finally:
            await db.dispose()
    return {
        "counts": counts, "load_seconds": loaded, "baseline": baseline, "chase": chase,
        "lists": year, "department": department, "open_items": busiest_open,
        "list_sizes": {"problems": len(lists.problems), "handled": len(lists.handled),
                       "ratings": len(lists.ratings)},
        "chase_sizes": {"stuck": len(report.stuck), "overdue": len(report.overdue),
                        "departments": len(report.departments)},
    }  # fmt: skip


def summary(args: argparse.Namespace, phases: dict[str, Any]) -> dict[str, Any]:
    """The JSON report; targets judged on the medians."""
    base = phases["baseline"]["median_ms"] or 0.01
    chase, lists, department = phases["chase"], phases["lists"], phases["department"]
    for timing in (chase, lists, department):
        timing["ratio_to_scan"] = round(timing["median_ms"] / base, 2)
    together = round(chase["median_ms"] + lists["median_ms"], 2)
    department.update(
        open_items=phases["open_items"],
        target_ms=TARGET_OPEN_ITEMS_MS,
        passed=department["median_ms"] < TARGET_OPEN_ITEMS_MS,
    )
    chase_and_lists = {
        "median_ms": together,
        "ratio_to_scan": round(together / base, 2),
        "target_ms": TARGET_CHASE_AND_LISTS_MS,
        "passed": together < TARGET_CHASE_AND_LISTS_MS,
    }
    return {
        "benchmark": "outcomes",
        "database": "sqlite",
        "proposals": args.proposals,
        "items_per_proposal": args.items,
        "outcomes": args.outcomes,
        "suggestions_per_outcome": args.suggestions,
        "departments": args.departments,
        "counts": phases["counts"],
        "load_seconds": phases["load_seconds"],
        "list_sizes": phases["list_sizes"],
        "chase_sizes": phases["chase_sizes"],
        "baseline_scan": phases["baseline"],
        "chase_list": chase,
        "year_lists": lists,
        "chase_and_lists": chase_and_lists,
        "department_open_items": department,
        "repeat": args.repeat,
        "seed": args.seed,
        "passed": chase_and_lists["passed"] and department["passed"],
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "sqlite": sqlite3.sqlite_version},
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--proposals", type=int, default=2_000)
    parser.add_argument("--items", type=int, default=6)
    parser.add_argument("--outcomes", type=int, default=500)
    parser.add_argument("--suggestions", type=int, default=5)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if min(args.proposals, args.items, args.outcomes, args.suggestions, args.repeat) < 1:
        parser.error("need at least one proposal, item, outcome, suggestion and repetition")
    if args.departments < 2:
        parser.error("need at least 2 departments")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the JSON, return the exit code."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    started = time.perf_counter()
    result = summary(args, asyncio.run(run(args)))
    result["run_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
