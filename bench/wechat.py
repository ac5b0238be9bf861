"""The WeChat service account under load, and what a report costs in customer-service messages.

Run from the repository root: ``.venv/bin/python bench/wechat.py [--seconds 30] [--rate 50]``.
One JSON object goes to stdout, progress to stderr; the exit code is 0 when every target is
met.

The app is the real one, ``bot.runner.serve`` with the demo data on a fresh database (an
SQLite file; with ``--database postgresql+asyncpg://...`` a new database on that server), the
service account and Telegram configured, in a child process (``bench/wechat_app.py``).
The fake WeChat server (``fakes.wechat_server.FakeWeChat``), the fake Bot API and the load generator
share this process: at fifty callbacks a second the generator signs XML, opens a connection
per callback and reads every answer, and on one event loop with the app that work would both
slow the app and stamp the answers late, so the latency would be the generator's as much as
the app's. Apart, the app has its own loop as it has in production, where WeChat is elsewhere.

1. Warm-up: one resident walks the whole flow alone, then a second one: the second walk's
   answer times are the idle baseline, the same callbacks with nothing else in flight.
2. Load: callbacks offered at a steady ``--rate`` (50) a second for ``--seconds`` (30),
   open loop: each is sent at its scheduled time whatever happened to the previous ones, so a
   slow app shows as latency, never as a lower rate. Each goes to a random resident whose
   previous step is done (its answer arrived, as the passive reply or a customer-service
   message); ``--population`` (100) residents are mid-flow, one that finished is replaced by
   a new one, and when none is ready a new one takes the callback. A resident walks the
   report flow by tapping the menu links it was sent (subscribe, report, station, category,
   text, photo, photos done, location, contact choice, submit), then reads "my issues". A
   callback's answer time runs from its scheduled time to the end of WeChat's HTTP answer,
   at the client; one not answered (an error) counts as answered late. WeChat gives up after
   5 s; the app answers "success" at its 4 s deadline and follows up. Targets: every
   callback answered within 4.5 s, p99 <= 4.5 s.
   Also reported: the share of callbacks whose answer carried the passive reply (the rest
   were answered "success" at the deadline), and each step's answer time, from the scheduled
   callback to the arrival of the message the resident waited for, however it came.
3. Cost: every message the fake recorded for a resident between one of its callbacks and
   the next is that step's (each message a person sends renews WeChat's count, so this is
   WeChat's own accounting). Per completed report (subscribe to submit), over the warm-up's
   and the load's residents and for each apart: the customer-service messages and passive
   replies; per step, the most customer-service messages any resident's step took. Target:
   no step over 2 (the passive reply plus at most two). A loaded app that misses the
   deadline pays for it here: its late answers go as customer-service messages.
4. Baseline: the same flow (/start to submit) through the fake Bot API with
   ``--telegram-reports`` (3) chats, after the load; the bot's sends and edits to each chat
   (``RATE_LIMITED_METHODS``: the calls Telegram counts as messages). ``ratio`` is customer-
   service messages per report over Telegram messages per report.

Every step waits ``--step-timeout`` (15) s at most for its answer; a step that never gets it
fails its resident and the run: a callback answered "success" in time whose answer never
came is no success. Errors in the app's log, customer-service sends the fake refused and a
Telegram baseline that did not finish fail the run too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from bench.wechat_app import AppProcess, app_settings, fresh_database, serve_app  # noqa: E402
from bench.wechat_load import (  # noqa: E402
    TARGET_SECONDS,
    Load,
    offer,
    percentiles,
    quiet,
    walk_alone,
)
from bench.wechat_telegram import telegram_costs  # noqa: E402
from bench.wechat_walk import CountingWeChat, StepError, wechat_costs  # noqa: E402
from tests.support.fake_bot_api import FakeBotAPI  # noqa: E402

log = logging.getLogger("bench.wechat")

TARGET_CS_PER_STEP = 2
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the fakes and the app, warm up, load, count, then the Telegram baseline."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-wechat-") as temp:
        directory = Path(temp)
        async with (
            fresh_database(args.database) as database_url,
            CountingWeChat() as wechat,
            FakeBotAPI() as telegram,
        ):
            aes_key = AES_KEY if args.secure else None
            values = app_settings(
                directory,
                database_url=database_url,
                wechat_url=wechat.base_url,
                telegram_url=telegram.base_url,
                aes_key=aes_key,
            )
            app = await AppProcess.start(values, directory / "app.log")
            try:
                log.info("starting the app (migrate, demo data) ...")
                start_seconds = await app.healthy(args.start_timeout)
                callback_url = f"{app.base_url}/wechat/callback"
                load = Load(wechat, callback_url, aes_key, rng=random.Random(args.seed))
                log.info("warm-up walks ...")
                await walk_alone(load, args.step_timeout)
                idle = await walk_alone(load, args.step_timeout)
                warm_up = len(load.residents)
                log.info("offering %g callbacks a second for %g s ...", args.rate, args.seconds)
                offered = await offer(
                    load, args.rate, args.seconds, args.population, args.step_timeout, args.seed
                )
                await quiet(wechat)
                for resident in load.residents:
                    if resident.done:
                        resident.close_step()
                log.info("the same report on Telegram ...")
                baseline = await telegram_costs(
                    telegram,
                    args.telegram_reports,
                    args.step_timeout,
                    random.Random(args.seed + 1),
                )
            finally:
                code = await app.stop()
            costs = {
                "all": wechat_costs(load.residents),
                "load": wechat_costs(load.residents[warm_up:]),
                "idle": wechat_costs(load.residents[:warm_up]),
            }
            refused = wechat.refused_sends()
        errors = app.errors_logged()
    return {
        "start_seconds": round(start_seconds, 1),
        "idle": percentiles(idle, len(idle)),
        "offered": offered,
        "costs": costs,
        "refused": refused,
        "telegram": baseline,
        "failures": load.failures,
        "errors": errors,
        "exit_code": code,
    }


def summary(args: argparse.Namespace, result: dict[str, Any]) -> dict[str, Any]:
    """The flat JSON report."""
    offered, baseline = result["offered"], result["telegram"]
    costs, load_costs, idle_costs = (result["costs"][key] for key in ("all", "load", "idle"))
    latency = percentiles(offered.pop("latencies"), offered["callbacks"])
    steps = percentiles(offered.pop("step_times"), offered["callbacks"])
    offered["passive_share"] = round(offered["answered_passively"] / offered["callbacks"], 4)
    cs, tg = costs["cs_messages_per_report"], baseline["telegram_messages_per_report"]
    ratio = round(cs / tg, 3) if cs is not None and tg else None
    targets_met = (
        latency["answered_within_4_5s_share"] == 1.0
        and latency["p99_s"] is not None
        and latency["p99_s"] <= TARGET_SECONDS
        and costs["reports_completed"] > 0
        and costs["distinct_case_numbers"] == costs["reports_completed"]
        and costs["max_cs_per_step"] <= TARGET_CS_PER_STEP
        and baseline["reports_completed"] == args.telegram_reports
        and not result["failures"]
        and not result["errors"]
        and result["refused"] == 0
    )
    return {
        "benchmark": "wechat",
        "offered_rate": args.rate,
        "seconds": args.seconds,
        "callbacks": offered["callbacks"],
        **latency,
        "reports_completed": costs["reports_completed"],
        "cs_messages_per_report": cs,
        "telegram_messages_per_report": tg,
        "ratio": ratio,
        "max_cs_per_step": costs["max_cs_per_step"],
        "targets_met": targets_met,
        "targets": {"answer_s": TARGET_SECONDS, "share": 1.0, "cs_per_step": TARGET_CS_PER_STEP},
        "passive_share": offered["passive_share"],
        "load": offered,
        "step_answered": {
            "share_within_4_5s": steps["answered_within_4_5s_share"],
            **{key: value for key, value in steps.items() if key.endswith("_s")},
        },
        "idle_baseline": result["idle"],
        "reports_completed_under_load": load_costs["reports_completed"],
        "cs_messages_per_report_under_load": load_costs["cs_messages_per_report"],
        "cs_messages_per_report_idle": idle_costs["cs_messages_per_report"],
        "cs_per_step_mean_under_load": load_costs["cs_per_step_mean"],
        "cs_per_step_max": costs["cs_per_step_max"],
        "cs_messages_per_report_max": costs["cs_messages_per_report_max"],
        "passive_replies_per_report": costs["passive_replies_per_report"],
        "template_messages": costs["template_messages"],
        "cs_sends_refused": result["refused"],
        "telegram_by_method": baseline["by_method"],
        "telegram_reports": baseline["reports_completed"],
        "telegram_failures": baseline["failures"],
        "step_failures": len(result["failures"]),
        "first_failures": result["failures"][:5],
        "errors_logged": len(result["errors"]),
        "first_errors": result["errors"][:5],
        "app_start_seconds": result["start_seconds"],
        "app_exit_code": result["exit_code"],
        "database": "sqlite" if args.database is None else make_url(args.database).drivername,
        "secure_mode": args.secure,
        "population": args.population,
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rate", type=float, default=50.0, help="callbacks offered a second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long they are offered")
    parser.add_argument("--population", type=int, default=100, help="residents mid-flow")
    parser.add_argument("--telegram-reports", type=int, default=3, help="baseline reports")
    parser.add_argument("--step-timeout", type=float, default=15.0, help="seconds per step")
    parser.add_argument("--start-timeout", type=float, default=120.0, help="seconds")
    parser.add_argument("--secure", action="store_true", help="AES secure mode callbacks")
    parser.add_argument(
        "--database", default=None, help="a server URL (postgresql+asyncpg://...); SQLite if unset"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    parser.add_argument("--app", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--app``, be its app), print the JSON, return the code."""
    args = parse_args(argv)
    if args.app is not None:
        serve_app(args.app)
        return 0
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    log.setLevel(logging.INFO)
    try:
        result = summary(args, asyncio.run(run(args)))
    except (StepError, RuntimeError) as error:
        # The app did not start or the warm-up walk failed: nothing was measured.
        log.error("%s", error)
        result = {"benchmark": "wechat", "error": str(error), "targets_met": False}
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
