"""How fast the monthly hotspot run is, against jieba's segmentation of the same texts, and how
good its grouping is on a labelled sample.

Run from the repository root: ``.venv/bin/python bench/hotspots.py``. One JSON object goes to
stdout, progress to stderr; the exit code is 0 when the target is met, 1 otherwise.

Method. A fresh SQLite file (migrated to head, reference data loaded) receives, bulk-loaded
with Core inserts, ``--cases`` (100,000) residents' cases and ``--hotline`` (200,000) hotline
records spread over 2026. Their texts come from :mod:`services.demo.hotline_texts`: each of its
problems is placed in ``--places`` (10) communities of its district, so the year holds a few
hundred real problems in many wordings, with ``--noise`` (30 %) one-off texts mixed from the
words of every problem. Each problem has a weight (a long tail: few big problems, many small).

Timed, once each after jieba's dictionary is loaded: the baseline, jieba's segmentation of the
month's texts (``--month``, 2026-11) as the run does it (:func:`services.hotspots.words.words_of`);
then the monthly run itself (:func:`services.hotspots.engine.run_month`: reading the month,
segmentation, features, grouping, trend against the month before, writing). The month before
is run first so the trend has something to match. Target: the run under 60 s. The ratio of
the run to the segmentation is reported.

Quality. :func:`services.demo.hotline_texts.sample` gives ``--sample`` (15) texts of each
problem with its label; for each option (features: words, character n-grams, both;
grouping: average-linkage agglomerative clustering or connected components of the radius
graph; a few thresholds) the pairwise precision and recall of "same problem" pairs are
reported, the run's default marked.

The report-time check. With ``--open-cases`` (20,000) open cases, :mod:`bench.lookalike`
times the "looks like an open case" check of ``--queries`` (200) new reports against a plain
scan of the same candidates in the same run (target: p95 under 100 ms); its JSON is the
``report_time_check`` entry. ``--open-cases 0`` leaves it out.
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
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlmodel import col  # noqa: E402

from bench import lookalike as report_time  # noqa: E402
from bench.assessment import bulk  # noqa: E402
from services.audit import Actor  # noqa: E402
from services.demo.data import load_reference_data, read_demo_data  # noqa: E402
from services.demo.hotline_texts import CLOSINGS, OPENINGS, PROBLEMS, sample  # noqa: E402
from services.hotspots.engine import run_month  # noqa: E402
from services.hotspots.grouping import (  # noqa: E402
    GroupingParameters,
    group,
    pair_scores,
    vectorize,
)
from services.hotspots.months import month_bounds, previous_month  # noqa: E402
from services.hotspots.words import words_of  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import HotlineRecord, Issue, IssueCategory, Station  # noqa: E402
from storage.queries import table_of  # noqa: E402
from storage.search_terms import preload  # noqa: E402

log = logging.getLogger("bench.hotspots")
TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
TARGET_RUN_S = 60.0
COMMUNITIES = {
    "XQ": ["敬德街社区", "凤鸣佳苑", "满村新村", "丽景街", "胜利街", "文化街", "大新镇",
           "掌政镇", "月牙湖", "通贵乡", "银古路", "新华街"],
    "JF": ["北安社区", "阅海万家", "京能天下川", "满城北街", "黄河东路", "上海西路",
           "良田镇", "丰登镇", "长城花园", "宝湖社区", "正源街", "亲水大街"],
    "XX": ["高校家属区", "贺兰山路", "朔方路", "文昌路", "怀远路", "兴泾镇", "镇北堡",
           "芦花台", "宁朔路", "北京西路", "同心路", "学院路"],
}  # fmt: skip
OPTIONS = [
    ("words", "average", 0.85), ("chars", "average", 0.9), ("both", "average", 0.85),
    ("both", "average", 0.88), ("both", "average", 0.9), ("words", "components", 0.75),
    ("chars", "components", 0.75), ("both", "components", 0.8),
]  # fmt: skip


def instances(places: int) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(key, category, area, wordings with the place filled in) for each problem and place."""
    found = []
    for problem in PROBLEMS:
        for place in COMMUNITIES[problem.area][:places]:
            wordings = tuple(w.replace("{p}", place) for w in problem.wordings)
            found.append((f"{problem.key}@{place}", problem.category, problem.area, wordings))
    return found


def noise_text(rng: random.Random, vocabulary: list[str]) -> str:
    """A one-off text: a few words of every problem, in no problem's order."""
    return rng.choice(OPENINGS) + "".join(rng.sample(vocabulary, 5)) + rng.choice(CLOSINGS)


def moment(rng: random.Random) -> dt.datetime:
    """A moment of the year, in UTC."""
    start = dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8)
    return start + dt.timedelta(seconds=rng.randrange(365 * 86_400))


async def load(db: Database, args: argparse.Namespace) -> dict[str, int]:
    """The year's cases and hotline records."""
    rng = random.Random(args.seed)
    async with db.session() as session:
        categories = dict(
            (await session.execute(select(col(IssueCategory.code), col(IssueCategory.id)))).all()
        )
        stations: dict[str, list[int]] = {}
        for station_id, district in await session.execute(
            select(col(Station.id), col(Station.district_code))
        ):
            stations.setdefault(district, []).append(station_id)
    problems = instances(args.places)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(problems))]
    rng.shuffle(weights)
    vocabulary = sorted({w for p in PROBLEMS for t in p.wordings for w in words_of(t)})

    def text_of() -> tuple[str, str, str]:
        if rng.random() < args.noise:
            return (
                noise_text(rng, vocabulary),
                rng.choice(list(categories)),
                rng.choice(["XQ", "JF", "XX"]),
            )
        _key, category, area, wordings = rng.choices(problems, weights)[0]
        return rng.choice(OPENINGS) + rng.choice(wordings) + rng.choice(CLOSINGS), category, area

    cases = []
    for n in range(1, args.cases + 1):
        text, category, area = text_of()
        created = moment(rng)
        cases.append({
            "number": f"{YEAR}-{n:06d}", "station_id": rng.choice(stations[area]),
            "category_id": categories[category], "description": text, "status": "new",
            "channel": "telegram", "anonymous": True, "created_at": created, "updated_at": created,
        })  # fmt: skip
    records = []
    for n in range(1, args.hotline + 1):
        text, category, area = text_of()
        records.append({
            "ticket_id": f"T{n:08d}", "received_at": moment(rng), "category_text": category,
            "category_id": categories[category], "district": area, "address": "", "text": text,
            "batch": "bench", "imported_at": NOW, "latitude": None, "longitude": None,
        })  # fmt: skip
    return {
        "issue": await bulk(db, table_of(Issue), cases),
        "hotline_record": await bulk(db, table_of(HotlineRecord), records),
    }


async def month_texts(db: Database, month: str) -> list[str]:
    """The month's texts, as the run reads them."""
    start, end = month_bounds(month, TZ)
    async with db.session() as session:
        cases = await session.scalars(
            select(col(Issue.description)).where(
                col(Issue.created_at) >= start, col(Issue.created_at) < end
            )
        )
        records = await session.scalars(
            select(col(HotlineRecord.text)).where(
                col(HotlineRecord.received_at) >= start, col(HotlineRecord.received_at) < end
            )
        )
        return list(cases) + list(records)


async def timed_run(db: Database, month: str) -> tuple[float, dict[str, int]]:
    """Seconds of one monthly run, replacing the month's, and what it found."""
    started = time.perf_counter()
    async with db.writing() as session:
        run = await run_month(
            session, month=month, tz=TZ, now=NOW, actor=Actor.cli("bench"), replace=True
        )
        found = {"cases": run.cases, "hotline_records": run.hotline_records,
                 "hotspots": run.hotspots}  # fmt: skip
    return time.perf_counter() - started, found


def quality(per_problem: int) -> dict[str, Any]:
    """Pairwise precision and recall of every option on the labelled sample."""
    rows = sample(per_problem)
    texts = [row[3] for row in rows]
    truth = [row[0] for row in rows]
    buckets = [(row[1], row[2]) for row in rows]
    word_lists = [words_of(text) for text in texts]
    default = GroupingParameters()
    options = []
    for features, method, threshold in OPTIONS:
        parameters = GroupingParameters(method=method, features=features, threshold=threshold)  # type: ignore[arg-type]
        groups = group(vectorize(word_lists, texts, parameters.features), buckets, parameters)
        options.append({
            "features": features, "method": method, "threshold": threshold,
            **pair_scores(groups, truth), "groups": len(groups),
            "default": parameters == default,
        })  # fmt: skip
    chosen = next(o for o in options if o["default"])
    return {"texts": len(rows), "problems": len(set(truth)), "options": options,
            "precision": chosen["precision"], "recall": chosen["recall"]}  # fmt: skip


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Load, time, judge."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as temp:
        db = Database(f"sqlite+aiosqlite:///{Path(temp) / 'bench.db'}")
        try:
            await upgrade(db)
            async with db.writing() as session:
                await load_reference_data(session, read_demo_data())
            preload()
            started = time.perf_counter()
            counts = await load(db, args)
            loaded = round(time.perf_counter() - started, 2)
            log.info("loaded %s in %s s", counts, loaded)
            await timed_run(db, previous_month(args.month))
            texts = await month_texts(db, args.month)
            started = time.perf_counter()
            for text in texts:
                words_of(text)
            baseline = time.perf_counter() - started
            seconds, found = await timed_run(db, args.month)
            log.info("run %.2f s, segmentation %.2f s", seconds, baseline)
        finally:
            await db.dispose()
    return {"counts": counts, "load_seconds": loaded, "baseline": baseline, "run": seconds,
            "found": found, "month_texts": len(texts)}  # fmt: skip


def summary(
    args: argparse.Namespace, phases: dict[str, Any], judged: dict[str, Any]
) -> dict[str, Any]:
    """The JSON report."""
    seconds = round(phases["run"], 3)
    return {
        "benchmark": "hotspots",
        "database": "sqlite",
        "cases": args.cases,
        "hotline_records": args.hotline,
        "month": args.month,
        "counts": phases["counts"],
        "load_seconds": phases["load_seconds"],
        "month_texts": phases["month_texts"],
        "baseline_segmentation": {"seconds": round(phases["baseline"], 3)},
        "monthly_run": {
            "seconds": seconds,
            "ratio_to_segmentation": round(seconds / max(phases["baseline"], 1e-6), 2),
            "target_seconds": TARGET_RUN_S,
            "passed": seconds < TARGET_RUN_S,
            **phases["found"],
        },
        "grouping_quality": judged,
        "seed": args.seed,
        "passed": seconds < TARGET_RUN_S,
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count()},
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--hotline", type=int, default=200_000)
    parser.add_argument("--places", type=int, default=10)
    parser.add_argument("--noise", type=float, default=0.3)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--sample", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--open-cases", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    if min(args.open_cases, args.queries) < 0:
        parser.error("open cases and queries can't be negative")
    if min(args.cases, args.hotline, args.places, args.sample) < 1:
        parser.error("need at least one case, hotline record, place and sample text")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the JSON, return the exit code."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    started = time.perf_counter()
    phases = asyncio.run(run(args))
    result = summary(args, phases, quality(args.sample))
    if args.open_cases:
        check_args = report_time.parse_args(
            ["--cases", str(args.open_cases), "--queries", str(max(args.queries, 1)),
             "--seed", str(args.seed)]
        )  # fmt: skip
        check = report_time.summary(check_args, asyncio.run(report_time.run(check_args)))
        result["report_time_check"] = check
        result["passed"] = result["passed"] and check["passed"]
    result["run_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
