"""How fast the duty assessment reads: the whole year with every group's ranking, and one
member's live score and rank, against a plain scan of the ledger in the same database.

Run from the repository root: ``.venv/bin/python bench/assessment.py``. One JSON object goes
to stdout, progress to stderr; the exit code is 0 when every target is met, 1 otherwise.

Method. A fresh SQLite file (migrated to head, reference data loaded, the app's engine)
receives ``--members`` (5,000) members over the sectors, the four roster groups and a few
office members, and about ``--records`` (400,000) source records of 2026, bulk-loaded with
Core inserts: 75 % activities (kinds weighted as members log them, about 1 % deleted), 15 %
invitations of closed meetings (attended, excused, absent, leave never decided), 5 %
social-conditions reports, 3 % proposals with co-signers (some rated), 2 % staff entries.
``rebuild_year`` then writes the ledger and the totals; it is timed and reported (it runs
once after a change of the rules), not judged.

Before timing, the results are checked: for a sample of members (the busiest and a typical
one included) ``member_score`` must equal that member's row of the whole-year result
(``year_scores``), and every total must equal the sum of its capped items.

Timed, each after a warm-up and ``--repeat`` times in a fresh session: the baseline
``SELECT count(*), sum(points_c) FROM assessment_line WHERE year = ?``; the whole year
(``year_scores``: one GROUP BY over the lines, the totals, every group's RANK and pool cut);
``member_score`` for the typical and the busiest member. Targets (medians): the whole year
under 2 s, a member's score under 50 ms. Ratios to the baseline are reported.
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
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Table, insert, select, text  # noqa: E402
from sqlmodel import col  # noqa: E402

from services.assessment.ledger import rebuild_year  # noqa: E402
from services.assessment.scores import member_score, year_scores  # noqa: E402
from services.assessment.types import MemberScore  # noqa: E402
from services.demo.data import load_reference_data, read_demo_data  # noqa: E402
from services.members.rules import RuleBook  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Activity,
    AssessmentEntry,
    ConditionsReport,
    Meeting,
    MeetingInvitee,
    Member,
    Proposal,
    ProposalCosigner,
    Sector,
)
from storage.queries import table_of  # noqa: E402

log = logging.getLogger("bench.assessment")
YEAR = 2026
TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 31, 4, 0, tzinfo=dt.UTC)
BOOK = RuleBook()
TARGET_YEAR_MS = 2000.0
TARGET_MEMBER_MS = 50.0
CHUNK = 20_000
SAMPLE = 20
INVITED_PER_MEETING = 240
GROUPS = {"standing": 1, "local": 12, "nonlocal": 4, "hkmo": 2}
KINDS = {
    "liaison-visit": 35, "liaison-forum": 12, "liaison-survey": 8, "station-duty": 15,
    "research": 6, "training": 6, "sector-activity": 6, "welfare": 5, "plenary": 2,
    "proposal": 3, "social-report": 2,
}  # fmt: skip
MEETING_KINDS = ["plenary", "standing", "bimonthly", "thematic", "sector", "talk-it-over"]


class BenchError(Exception):
    """The results disagree with each other."""


def chunked(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    """Consecutive lists of at most ``size`` rows."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def bulk(db: Database, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Core executemany in chunks, one write transaction each."""
    written = 0
    for batch in chunked(rows):
        async with db.writing() as session:
            await session.execute(insert(table), batch)
        written += len(batch)
    return written


def day(rng: random.Random) -> dt.date:
    """A day of the year."""
    return dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))


def moment(rng: random.Random) -> dt.datetime:
    """A working hour of a day of the year, in UTC."""
    return dt.datetime.combine(day(rng), dt.time(rng.randrange(1, 10)), tzinfo=dt.UTC)


async def load(db: Database, args: argparse.Namespace) -> dict[str, Any]:
    """Members and every kind of source record; rows written per table."""
    rng = random.Random(args.seed)
    async with db.session() as session:
        sectors = list((await session.execute(select(col(Sector.id)))).scalars())
    created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    groups = rng.choices(list(GROUPS), weights=list(GROUPS.values()), k=args.members)
    counts: dict[str, int] = {}
    counts["member"] = await bulk(
        db,
        table_of(Member),
        (
            {
                "id": n, "code": f"M{n:05d}", "name": f"委员{n:05d}",
                "sector_id": sectors[n % len(sectors)], "assessment_group": groups[n - 1],
                "status": "active" if rng.random() > 0.02 else "suspended",
                "office": rng.random() < 0.02, "term": "2023-2028",
                "created_at": created, "updated_at": created,
            }
            for n in range(1, args.members + 1)
        ),
    )  # fmt: skip
    weights = [rng.lognormvariate(0, 0.8) for _ in range(args.members)]
    ids = range(1, args.members + 1)

    def pick(k: int) -> list[int]:
        return rng.choices(ids, weights=weights, k=k)

    activities = int(args.records * 0.75)
    kinds, kind_weights = list(KINDS), list(KINDS.values())
    counts["activity"] = await bulk(
        db,
        table_of(Activity),
        (
            {
                "member_id": m, "kind": rng.choices(kinds, kind_weights)[0],
                "occurred_on": day(rng), "sector_id": sectors[0],
                "people_count": 1 + int(rng.expovariate(0.2)), "summary": "活动",
                "created_at": NOW, "updated_at": NOW,
                "deleted_at": NOW if rng.random() < 0.01 else None,
            }
            for m in pick(activities)
        ),
    )  # fmt: skip
    invitations = int(args.records * 0.15)
    per_meeting = min(INVITED_PER_MEETING, args.members)
    meetings = max(1, invitations // per_meeting)
    meeting_rows = []
    for number in range(1, meetings + 1):
        starts = moment(rng)
        meeting_rows.append(
            {
                "id": number, "kind": rng.choice(MEETING_KINDS), "title": f"会议{number}",
                "starts_at": starts, "ends_at": starts + dt.timedelta(hours=2), "venue": "会议厅",
                "agenda": "", "checkin_code": "123456", "checkin_token": f"t{number}",
                "created_at": starts - dt.timedelta(days=7),
                "closed_at": starts + dt.timedelta(hours=3),
            }
        )  # fmt: skip
    counts["meeting"] = await bulk(db, table_of(Meeting), meeting_rows)

    def invitees() -> Iterator[dict[str, Any]]:
        for row in meeting_rows:
            for member_id in rng.sample(ids, per_meeting):
                roll = rng.random()
                there = roll < 0.8
                response = (
                    "attending"
                    if there
                    else rng.choice(["leave_approved", "leave_requested", "pending"])
                )
                attendance = (
                    "attended" if there else "excused" if response == "leave_approved" else "absent"
                )
                yield {
                    "meeting_id": row["id"], "member_id": member_id, "response": response,
                    "responded_at": row["starts_at"] - dt.timedelta(days=1),
                    "checked_in_at": row["starts_at"] if there else None,
                    "attendance": attendance,
                }  # fmt: skip

    counts["meeting_invitee"] = await bulk(db, table_of(MeetingInvitee), invitees())
    counts["conditions_report"] = await bulk(
        db,
        table_of(ConditionsReport),
        (
            {
                "member_id": m, "title": "社情民意", "body": "正文",
                "state": rng.choice(["submitted", "accepted", "accepted", "returned"]),
                "submitted_at": moment(rng),
            }
            for m in pick(int(args.records * 0.05))
        ),
    )  # fmt: skip
    proposals = int(args.records * 0.02)
    ratings = ["", "", "", "", "", "excellent", "key", "excellent_key"]
    counts["proposal"] = await bulk(
        db,
        table_of(Proposal),
        (
            {
                "id": n, "year": YEAR, "number": f"P{n:05d}", "title": "提案",
                "submitted_on": day(rng), "member_id": m if n % 20 else None,
                "sector_id": None if n % 20 else sectors[n % len(sectors)],
                "rating": rng.choice(ratings), "created_at": NOW, "updated_at": NOW,
            }
            for n, m in enumerate(pick(proposals), start=1)
        ),
    )  # fmt: skip
    pairs = {(rng.randrange(1, proposals + 1), m) for m in pick(int(args.records * 0.01))}
    counts["proposal_cosigner"] = await bulk(
        db, table_of(ProposalCosigner), ({"proposal_id": p, "member_id": m} for p, m in pairs)
    )
    levels = {"M17": ["city", "party", "national"], "M18": ["oral", "written"],
              "M19": ["report", "article"], "M20": ["adopted", "policy"]}  # fmt: skip
    entries = []
    for n, m in enumerate(pick(int(args.records * 0.02))):
        code = rng.choice(list(levels))
        sector = n % 10 == 0
        code = rng.choice(["S04", "S05"]) if sector else code
        level = "oral" if code == "S04" else "" if code == "S05" else rng.choice(levels[code])
        entries.append(
            {
                "year": YEAR, "item_code": code, "level": level,
                "member_id": None if sector else m,
                "sector_id": sectors[n % len(sectors)] if sector else None,
                "occurred_on": day(rng), "title": "记录", "evidence": "", "created_at": NOW,
            }
        )  # fmt: skip
    counts["assessment_entry"] = await bulk(db, table_of(AssessmentEntry), entries)
    counts["records"] = sum(v for k, v in counts.items() if k not in ("member", "meeting"))
    return counts


async def scores_of_year(db: Database) -> dict[int, MemberScore]:
    """The whole year with every group's ranking, in a session of its own."""
    async with db.session() as session:
        return await year_scores(session, year=YEAR, rules=BOOK.for_year(YEAR))


async def score_of(db: Database, member_id: int) -> MemberScore:
    """One member's live score and rank, in a session of its own."""
    async with db.session() as session:
        return await member_score(
            session, member_id=member_id, year=YEAR, rules=BOOK.for_year(YEAR), tz=TZ
        )


async def scan(db: Database) -> Any:
    """The baseline: count and sum the year's lines."""
    async with db.session() as session:
        sql = "SELECT count(*), sum(points_c) FROM assessment_line WHERE year = :year"
        return (await session.execute(text(sql), {"year": YEAR})).one()


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


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load, rebuild, check, time."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as temp:
        db = Database(f"sqlite+aiosqlite:///{Path(temp) / 'bench.db'}")
        try:
            await upgrade(db)
            async with db.writing() as session:
                await load_reference_data(session, read_demo_data())
            started = time.perf_counter()
            counts = await load(db, args)
            loaded = round(time.perf_counter() - started, 2)
            log.info("loaded %s in %s s", counts, loaded)
            started = time.perf_counter()
            async with db.writing() as session:
                lines = await rebuild_year(
                    session, year=YEAR, rules=BOOK.for_year(YEAR), tz=TZ, now=NOW
                )
            rebuilt = round(time.perf_counter() - started, 2)
            log.info("rebuilt %d lines in %s s", lines, rebuilt)
            whole = await scores_of_year(db)
            if len(whole) != args.members:
                raise BenchError(f"{len(whole)} scores for {args.members} members")
            by_lines = Counter({m: sum(i.lines for i in s.items) for m, s in whole.items()})
            busiest = by_lines.most_common(1)[0][0]
            ordered = sorted(whole, key=lambda m: (by_lines[m], m))
            typical = ordered[len(ordered) // 2]
            rng = random.Random(args.seed + 1)
            sample = {busiest, typical, *rng.sample(sorted(whole), min(SAMPLE, len(whole)))}
            for member_id in sorted(sample):
                live = await score_of(db, member_id)
                if live != whole[member_id]:
                    raise BenchError(f"member {member_id}: {live} != {whole[member_id]}")
            baseline = await repeat(args.repeat, lambda: scan(db))
            year = await repeat(args.repeat, lambda: scores_of_year(db))
            members = {
                name: await repeat(args.repeat, lambda m=m: score_of(db, m))
                for name, m in (("typical", typical), ("busiest", busiest))
            }
            groups = Counter(s.group_code for s in whole.values() if s.ranked)
        finally:
            await db.dispose()
    return {
        "counts": counts, "load_seconds": loaded, "rebuild_seconds": rebuilt, "lines": lines,
        "checked_members": len(sample), "groups": dict(groups), "baseline": baseline,
        "year": year, "member": members,
        "member_lines": {"typical": by_lines[typical], "busiest": by_lines[busiest]},
    }  # fmt: skip


def summary(args: argparse.Namespace, phases: dict[str, Any]) -> dict[str, Any]:
    """The JSON report; targets judged on the medians."""
    base = phases["baseline"]["median_ms"] or 0.01
    year, member = phases["year"], phases["member"]
    year.update(
        target_ms=TARGET_YEAR_MS,
        ratio_to_scan=round(year["median_ms"] / base, 2),
        passed=year["median_ms"] < TARGET_YEAR_MS,
    )
    worst = max(m["median_ms"] for m in member.values())
    member_result = {
        **{f"{name}_{k}": v for name, m in member.items() for k, v in m.items()},
        "lines": phases["member_lines"],
        "ratio_to_scan": round(worst / base, 2),
        "target_ms": TARGET_MEMBER_MS,
        "passed": worst < TARGET_MEMBER_MS,
    }
    return {
        "benchmark": "assessment",
        "database": "sqlite",
        "members": args.members,
        "records": phases["counts"]["records"],
        "counts": phases["counts"],
        "ledger_lines": phases["lines"],
        "load_seconds": phases["load_seconds"],
        "rebuild_year_seconds": phases["rebuild_seconds"],
        "checked_members": phases["checked_members"],
        "ranked_per_group": phases["groups"],
        "baseline_scan": phases["baseline"],
        "whole_year": year,
        "member_score": member_result,
        "repeat": args.repeat,
        "seed": args.seed,
        "passed": year["passed"] and member_result["passed"],
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "sqlite": sqlite3.sqlite_version},
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--records", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.members < 10 or args.records < 100 or args.repeat < 1:
        parser.error("need at least 10 members, 100 records and 1 repetition")
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
