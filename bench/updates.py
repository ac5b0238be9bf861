"""How fast the one Dispatcher handles updates, measured against aiogram alone.

Run from the repository root: ``.venv/bin/python bench/updates.py [--database URL]``, or with
``--workers 3 --database URL --redis URL`` for the workers mode (3. below). One JSON object
goes to stdout, progress to stderr; the exit code is 0 when every target is met.

Phases 0 to 2 run in one process against a fresh database (by default an SQLite file; with
``--database postgresql+asyncpg://...`` a new database created on that server and dropped
afterwards), migrated to head with the reference data loaded and the app's own engine, and a
Bot session that does no network I/O but answers every call with a Telegram-shaped result,
parsed by aiogram as a real one is.

0. aiogram alone: a bare ``Dispatcher()`` (MemoryStorage, no middlewares) whose only handler
   answers a text with that text, on the same Bot session and the same driver. Every other
   rate is a ratio to this one, measured in the same run, which cancels the machine's speed.

1. Throughput with ``--residents`` (200) chats in flight at once. Each chat sends its next
   update only when the previous one was fully handled, like a person waiting for the answer.

   - report flow: every chat runs the whole report dialog, /report to the case number
     (8 updates, and a ninth press when the look-alike card shows an open case that says the
     same: every resident describes the same problem), on the app's real routers; afterwards
     exactly one issue per chat, with distinct case numbers, must be in the database;
   - echo: the same ``build_dispatcher`` (same middlewares, same SQL FSM storage, same
     database), but the only handler answers a text with that text; each chat sends as many
     texts as a resident sends updates.

   The echo bot pays everything an update costs around the handlers (replay guard, identity,
   FSM state, i18n, one transaction), so its ratio to aiogram alone is the price of the
   app's chain. aiogram alone and the echo run as ``--rounds`` (5) back-to-back pairs, each
   pair giving one ratio; the echo's figure is the median of those ratios, and the report
   flow is divided by the median round's aiogram alone. A single pair on these shared
   machines spreads by a quarter either way, mostly in the baseline. Targets: echo / aiogram
   alone >= 0.4, report flow / aiogram alone >= 0.12.

2. Latency at an offered load of ``--rate`` (50) updates a second for ``--duration`` (20) s.
   Arrivals are Poisson (exponential gaps) and open-loop: the schedule never waits for the
   bot. ``--population`` residents are mid-dialog at any time; each arrival goes to a random
   one whose previous update was handled (its next step); a resident that submitted is
   replaced by a new one, and when none is ready a new resident takes the slot. Latency runs
   from the scheduled arrival to the end of handling, so queueing delay counts.
   Target: p99 < 100 ms. Then the same at rising rates (``--sweep``, ``--sweep-duration`` s
   each) until p99 reaches 250 ms: the highest rate below is reported.

3. ``--workers N`` (with ``--database URL`` and ``--redis URL``) runs instead the report flow
   against real ``liaison run`` processes (``bench/updates_workers.py``): one on SQLite for
   reference, one on that server with Redis, then N sharing the server and Redis, each on a
   fresh database (``updbench_*``). Every worker serves Telegram's webhook (with a secret) on
   a port of its own and talks to a lean fake Bot API in a child process
   (``bench/updates_fake.py``); ``--residents`` residents post their steps to the webhooks,
   spread over the workers round robin by chat (``--connections`` at once in all, Telegram's
   40 by default), and each posts its next step only when the bot's answer to the previous
   one reached the fake (``bench/updates_driver.py``). The rate is updates answered per
   second end to end; the inbox must be empty and every chat must own exactly one issue
   afterwards. aiogram alone runs in this process (phase 0) before each configuration, with
   no worker running. Reported: each rate, its ratio to aiogram alone, and N workers over
   one (target: >= 1.5), with the CPU seconds of the workers, the database, Redis, the fake,
   the driver and the whole machine over the walk. Exit code 1 when the target is missed or
   a check failed. Note that redis-py keeps at most 100 connections per client unless the
   URL says otherwise (``?max_connections=1000``), and fails past them rather than waiting.

A phase in which no update is handled for ``--stall-timeout`` seconds is stopped and reported
as failed, with the state of the connection pool, instead of hanging. ``flood_limit`` is
raised to 10,000 a minute: the flood middleware still runs and keeps its windows, but none of
the simulated updates may be dropped as a flood, which would make the bot look faster.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import logging
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, F, Router  # noqa: E402
from aiogram.methods import TelegramMethod  # noqa: E402
from aiogram.methods.base import TelegramType  # noqa: E402
from aiogram.types import (  # noqa: E402
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from aiogram_dialog.utils import CB_SEP  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.updates_database import check_issues, drop_database, open_database  # noqa: E402
from bench.updates_flow import (  # noqa: E402
    CASE_NUMBER,
    DESCRIPTION,
    DIFFERENT,
    SKIP,
    UPDATES_PER_RESIDENT,
)
from bench.updates_workers import workers_mode  # noqa: E402
from bot.app import AppContext, build_context, build_dispatcher  # noqa: E402
from bot.heap import settle_heap  # noqa: E402
from bot.settings import Settings  # noqa: E402
from services.clock import SystemClock  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.support.recording import RecordingSession  # noqa: E402

log = logging.getLogger("bench.updates")

TOKEN = "123456:BENCH-token"
FLOOD_LIMIT = 10_000
WARMUP_CHATS = 10
TARGET_ECHO_RATIO = 0.4
TARGET_REPORT_RATIO = 0.12
TARGET_P99_MS = 100.0
SWEEP_P99_MS = 250.0

Dialog = Iterator[Update]


class PhaseError(Exception):
    """A phase could not finish: a dialog went wrong, the database disagrees, or it stalled."""


class QuietSession(RecordingSession):
    """Answers like Telegram; keeps only each chat's newest buttons and text, never a log."""

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__()
        self.buttons: dict[int, list[str]] = {}
        self.texts: dict[int, str] = {}
        # Seconds each call takes, as Telegram's round trip would.
        self.latency = latency

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if self.latency:
            await asyncio.sleep(self.latency)
        chat_id = getattr(method, "chat_id", None)
        if isinstance(chat_id, int):
            self._note(chat_id, method)
        content = json.dumps({"ok": True, "result": self._result(bot, method)})
        return self.check_response(bot, method, 200, content).result  # type: ignore[return-value]

    def _note(self, chat_id: int, method: TelegramMethod[Any]) -> None:
        markup = getattr(method, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            self.buttons[chat_id] = [
                button.callback_data
                for row in markup.inline_keyboard
                for button in row
                if button.callback_data
            ]
        text = getattr(method, "text", None)
        if isinstance(text, str):
            self.texts[chat_id] = text

    def button(self, chat_id: int, prefix: str, rng: random.Random) -> str:
        """Callback data of one of the chat's newest buttons whose widget starts with ``prefix``.

        A dialog's button carries its dialog's intent id, then the widget and the item.
        """
        found = [
            data
            for data in self.buttons.get(chat_id, [])
            if data.split(CB_SEP)[-1].startswith(prefix)
        ]
        if not found:
            raise PhaseError(
                f"chat {chat_id}: no {prefix!r} button after {self.texts.get(chat_id)!r}"
            )
        return rng.choice(found)

    def has_button(self, chat_id: int, prefix: str) -> bool:
        """Whether one of the chat's newest buttons has a widget starting with ``prefix``."""
        buttons = self.buttons.get(chat_id, [])
        return any(data.split(CB_SEP)[-1].startswith(prefix) for data in buttons)

    def forget(self, chat_id: int) -> None:
        """Drop what was kept for a chat that is done."""
        self.buttons.pop(chat_id, None)
        self.texts.pop(chat_id, None)


class Chats:
    """Builds updates from fresh private chats; update ids are unique for the whole run."""

    def __init__(self, first_chat_id: int = 10_000_000) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.next_chat_id = first_chat_id

    def new_chat(self) -> int:
        """A chat id never used before in this run."""
        self.next_chat_id += 1
        return self.next_chat_id - 1

    def text(self, chat_id: int, text: str) -> Update:
        """A text message from the chat's user."""
        message = Message(
            message_id=next(self._message_ids),
            date=dt.datetime.now(dt.UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=_user(chat_id),
            text=text,
        )
        return Update(update_id=next(self._update_ids), message=message)

    def press(self, chat_id: int, data: str, bot_id: int) -> Update:
        """A press on an inline button under one of the bot's messages."""
        message = Message(
            message_id=next(self._message_ids),
            date=dt.datetime.now(dt.UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=User(id=bot_id, is_bot=True, first_name="Liaison"),
            text="…",
        )
        query = CallbackQuery(
            id=f"cq-{message.message_id}",
            from_user=_user(chat_id),
            chat_instance=f"ci-{chat_id}",
            message=message,
            data=data,
        )
        return Update(update_id=next(self._update_ids), callback_query=query)


def _user(chat_id: int) -> User:
    return User(id=chat_id, is_bot=False, first_name="Resident", language_code="en")


@dataclass
class Bench:
    """The app under test and what drives it."""

    app: AppContext
    bot: Bot
    session: QuietSession
    report_dp: Dispatcher
    echo_dp: Dispatcher
    plain_dp: Dispatcher
    chats: Chats
    rng: random.Random
    handled: int = 0
    case_numbers: list[str] = field(default_factory=list)

    async def feed(self, dp: Dispatcher, update: Update) -> None:
        """Hand one update to a dispatcher and wait until it was handled."""
        await dp.feed_update(self.bot, update)
        self.handled += 1


def report_dialog(bench: Bench, chat_id: int) -> Dialog:
    """The whole report, /report to the case number, pressing the buttons the bot sent."""
    chats, session, rng, bot_id = bench.chats, bench.session, bench.rng, bench.bot.id
    yield chats.text(chat_id, "/report")
    yield chats.press(chat_id, session.button(chat_id, "station:", rng), bot_id)
    yield chats.press(chat_id, session.button(chat_id, "category:", rng), bot_id)
    yield chats.text(chat_id, DESCRIPTION)
    yield chats.text(chat_id, SKIP)
    yield chats.text(chat_id, SKIP)
    yield chats.press(chat_id, session.button(chat_id, "anonymous", rng), bot_id)
    yield chats.press(chat_id, session.button(chat_id, "submit", rng), bot_id)
    if session.has_button(chat_id, DIFFERENT.prefix):
        # The look-alike card: the resident's problem is theirs, the report is sent.
        yield chats.press(chat_id, session.button(chat_id, DIFFERENT.prefix, rng), bot_id)
    match = CASE_NUMBER.search(session.texts.get(chat_id, ""))
    if match is None:
        raise PhaseError(f"chat {chat_id}: no case number in {session.texts.get(chat_id)!r}")
    bench.case_numbers.append(match.group())
    session.forget(chat_id)


def echo_dialog(bench: Bench, chat_id: int) -> Dialog:
    """As many texts as a resident sends updates; each must come back unchanged."""
    for index in range(UPDATES_PER_RESIDENT):
        text = f"Echo number {index} from chat {chat_id}"
        yield bench.chats.text(chat_id, text)
        if bench.session.texts.get(chat_id) != text:
            raise PhaseError(f"chat {chat_id}: got {bench.session.texts.get(chat_id)!r} back")
    bench.session.forget(chat_id)


def echo_router() -> Router:
    """The baseline's only handler."""
    router = Router(name="echo")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    return router


# --- the phases ------------------------------------------------------------------------------


async def supervise(bench: Bench, work: Awaitable[Any], stall_timeout: float) -> Any:
    """Await ``work``; stop it and fail when no update was handled for ``stall_timeout``."""
    task = asyncio.ensure_future(work)
    seen, since = bench.handled, time.perf_counter()
    while not task.done():
        await asyncio.wait({task}, timeout=0.25)
        if bench.handled != seen:
            seen, since = bench.handled, time.perf_counter()
        elif not task.done() and time.perf_counter() - since > stall_timeout:
            pool = bench.app.db.engine.pool.status()
            task.cancel()
            await asyncio.wait({task})
            raise PhaseError(f"no update handled for {stall_timeout:.0f} s; pool: {pool}")
    return task.result()


async def throughput(
    bench: Bench, dp: Dispatcher, make: Callable[[Bench, int], Dialog], chats: int
) -> dict[str, Any]:
    """Run ``chats`` dialogs at once; updates handled per second over the whole run."""

    async def run_dialog(dialog: Dialog) -> None:
        for update in dialog:
            await bench.feed(dp, update)

    dialogs = [make(bench, bench.chats.new_chat()) for _ in range(chats)]
    first, started = bench.handled, time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for dialog in dialogs:
            group.create_task(run_dialog(dialog))
    seconds = time.perf_counter() - started
    updates = bench.handled - first
    return {"updates": updates, "seconds": seconds, "updates_per_second": updates / seconds}


@dataclass
class Walker:
    """A resident of the latency phase: its dialog and the update it sends next."""

    dialog: Dialog
    pending: Update | None


async def latency(bench: Bench, rate: float, duration: float, population: int) -> dict[str, Any]:
    """Poisson arrivals at ``rate`` a second; latency from scheduled arrival to handled."""
    ready: list[Walker] = []
    latencies: list[float] = []
    in_dialog = 0

    def new_walker() -> Walker:
        nonlocal in_dialog
        in_dialog += 1
        dialog = report_dialog(bench, bench.chats.new_chat())
        return Walker(dialog, next(dialog))

    async def handle(walker: Walker, update: Update, due: float) -> None:
        nonlocal in_dialog
        await bench.feed(bench.report_dp, update)
        latencies.append(time.perf_counter() - due)
        walker.pending = next(walker.dialog, None)
        if walker.pending is None:
            in_dialog -= 1
        else:
            ready.append(walker)

    started = time.perf_counter()
    offset, arrivals = bench.rng.expovariate(rate), 0
    async with asyncio.TaskGroup() as group:
        while offset < duration:
            await asyncio.sleep(max(0.0, started + offset - time.perf_counter()))
            while in_dialog < population:
                ready.append(new_walker())
            walker = ready.pop(bench.rng.randrange(len(ready))) if ready else new_walker()
            assert walker.pending is not None
            group.create_task(handle(walker, walker.pending, started + offset))
            arrivals += 1
            offset += bench.rng.expovariate(rate)
    return latency_summary(latencies, arrivals / duration)


def latency_summary(latencies: list[float], offered_rate: float) -> dict[str, Any]:
    """Nearest-rank percentiles in milliseconds."""
    ordered = sorted(latencies)
    if not ordered:
        raise PhaseError("no update was handled")

    def rank(fraction: float) -> float:
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return round(ordered[index] * 1000, 2)

    return {
        "offered_rate": round(offered_rate, 2),
        "updates": len(ordered),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "max_ms": rank(1.0),
    }


async def warm_up(bench: Bench) -> dict[str, Any]:
    """A few dialogs of each kind, so that imports, caches and the pool are warm."""
    report = await throughput(bench, bench.report_dp, report_dialog, WARMUP_CHATS)
    echo = await throughput(bench, bench.echo_dp, echo_dialog, WARMUP_CHATS)
    plain = await throughput(bench, bench.plain_dp, echo_dialog, WARMUP_CHATS)
    return {"updates": report["updates"] + echo["updates"] + plain["updates"]}


async def sweep(
    bench: Bench, rates: list[float], duration: float, population: int, stall: float
) -> dict[str, Any]:
    """Latency at rising rates; the highest whose p99 stays under ``SWEEP_P99_MS``."""
    points: list[dict[str, Any]] = []
    best: float | None = None
    for rate in rates:
        point = await run_phase(
            f"latency at {rate:g}/s", bench, latency(bench, rate, duration, population), stall
        )
        point["rate"] = rate
        points.append(point)
        if "error" in point or point["p99_ms"] >= SWEEP_P99_MS:
            break
        best = rate
    return {"p99_limit_ms": SWEEP_P99_MS, "highest_rate": best, "points": points}


async def report_phase(bench: Bench, residents: int) -> dict[str, Any]:
    """The report flow's throughput, then exactly one stored issue per resident."""
    first = bench.chats.next_chat_id
    bench.case_numbers.clear()
    result = await throughput(bench, bench.report_dp, report_dialog, residents)
    await check_issues(bench.app.db, range(first, first + residents), bench.case_numbers)
    return result


async def run_phase(
    name: str, bench: Bench, work: Awaitable[dict[str, Any]], stall_timeout: float
) -> dict[str, Any]:
    """Run one phase under supervision; a failure becomes an ``error`` in its result."""
    log.info("%s ...", name)
    first, started = bench.handled, time.perf_counter()
    try:
        result: dict[str, Any] = await supervise(bench, work, stall_timeout)
    except Exception as error:  # the JSON must say what went wrong, whatever it was
        result = {"updates": bench.handled - first, "error": describe(error)}
        result["seconds"] = time.perf_counter() - started
        log.error("%s failed: %s", name, result["error"])
    for key in ("seconds", "updates_per_second"):
        if isinstance(result.get(key), float):
            result[key] = round(result[key], 3 if key == "seconds" else 1)
    log.info("%s: %s", name, json.dumps(result))
    return result


def describe(error: BaseException) -> str:
    """One line for an exception, the first one of a group."""
    if isinstance(error, BaseExceptionGroup):
        more = len(error.exceptions) - 1
        return describe(error.exceptions[0]) + (f" (and {more} more)" if more else "")
    first_line = (str(error).splitlines() or [""])[0]
    return f"{type(error).__name__}: {first_line}"


# --- set-up, tear-down and the report --------------------------------------------------------


def plain_dispatcher() -> Dispatcher:
    """aiogram alone: MemoryStorage, no middlewares, the echo handler."""
    dp = Dispatcher()
    dp.include_router(echo_router())
    return dp


def build_bench(db: Database, directory: Path, seed: int, api_latency: float = 0.0) -> Bench:
    """The app as the runner builds it: one bot on a quiet session, two dispatchers.

    The heap is settled afterwards, as ``bot.runner.serve`` does before it serves.
    """
    settings = Settings(
        database_url=db.url.render_as_string(hide_password=False),
        data_dir=directory / "var",
        default_locale="en",
        flood_limit=FLOOD_LIMIT,
        redis_url=None,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = build_context(settings, db, SystemClock())
    session = QuietSession(api_latency)
    bot = Bot(TOKEN, session=session)
    app.channels[bot.id] = "telegram"
    bench = Bench(
        app=app,
        bot=bot,
        session=session,
        report_dp=build_dispatcher(app),
        echo_dp=build_dispatcher(app, routers=[echo_router()]),
        plain_dp=plain_dispatcher(),
        chats=Chats(),
        rng=random.Random(seed),
    )
    settle_heap()
    return bench


async def close(bench: Bench) -> None:
    """Release the bot session, the FSM storages and the engine."""
    await bench.bot.session.close()
    for dp in (bench.report_dp, bench.echo_dp, bench.plain_dp):
        await dp.storage.close()
        await dp.fsm.events_isolation.close()
    await bench.app.db.dispose()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every phase, in one process, on one database."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as temp:
        db = await open_database(Path(temp), args.database)
        bench = build_bench(db, Path(temp), args.seed, args.api_latency / 1000)
        stall = args.stall_timeout
        try:
            await run_phase("warm-up", bench, warm_up(bench), stall)
            rounds = []
            for number in range(1, args.rounds + 1):
                rounds.append(await interleaved_round(bench, number, args.residents, stall))
            report = await run_phase(
                "report flow", bench, report_phase(bench, args.residents), stall
            )
            lat = await run_phase(
                f"latency at {args.rate:g}/s",
                bench,
                latency(bench, args.rate, args.duration, args.population),
                stall,
            )
            rates = [rate for rate in args.sweep if rate > 0]
            swept = await sweep(bench, rates, args.sweep_duration, args.population, stall)
        finally:
            await close(bench)
            await drop_database(db, args.database)
    return {"rounds": rounds, "report": report, "latency": lat, "sweep": swept}


async def interleaved_round(
    bench: Bench, number: int, residents: int, stall: float
) -> dict[str, Any]:
    """aiogram alone, then the app's echo, back to back: one ratio measured under one load.

    The machine's speed drifts within a run (other tenants, frequency scaling); a pair of
    phases a second apart sees the same machine, and the median of several pairs is the
    figure, so one unlucky phase cannot move it.
    """
    plain = await run_phase(
        f"aiogram alone, round {number}",
        bench,
        throughput(bench, bench.plain_dp, echo_dialog, residents),
        stall,
    )
    echo = await run_phase(
        f"echo, round {number}",
        bench,
        throughput(bench, bench.echo_dp, echo_dialog, residents),
        stall,
    )
    return {"aiogram_alone": plain, "echo": echo, "ratio_echo_to_aiogram": ratio(echo, plain)}


def median_phase(rounds: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The round's phase with the median rate (an error if any round's phase failed)."""
    phases = [r[name] for r in rounds]
    failed = [phase for phase in phases if "error" in phase]
    if failed:
        return failed[0]
    ordered = sorted(phases, key=lambda phase: float(phase["updates_per_second"]))
    middle: dict[str, Any] = ordered[(len(ordered) - 1) // 2]
    return middle


def ratio(phase: dict[str, Any], base: dict[str, Any]) -> float | None:
    """One phase's rate over another's, or None if either failed."""
    if "error" in phase or "error" in base:
        return None
    return round(phase["updates_per_second"] / base["updates_per_second"], 3)


def summary(args: argparse.Namespace, phases: dict[str, Any], errors: int) -> dict[str, Any]:
    """The flat JSON report."""
    report, lat, rounds = phases["report"], phases["latency"], phases["rounds"]
    plain, echo = median_phase(rounds, "aiogram_alone"), median_phase(rounds, "echo")
    echo_ratios: list[float | None] = [r["ratio_echo_to_aiogram"] for r in rounds]
    echo_ratio = None if None in echo_ratios else round(statistics.median(echo_ratios), 3)
    report_ratio = ratio(report, plain)
    lat["target_p99_ms"] = TARGET_P99_MS
    passed = (
        echo_ratio is not None
        and echo_ratio >= TARGET_ECHO_RATIO
        and report_ratio is not None
        and report_ratio >= TARGET_REPORT_RATIO
        and "error" not in lat
        and lat["p99_ms"] < TARGET_P99_MS
        and errors == 0
    )
    database = "sqlite" if args.database is None else make_url(args.database).get_backend_name()
    return {
        "benchmark": "updates",
        "database": database,
        "residents_in_flight": args.residents,
        "updates_per_resident": UPDATES_PER_RESIDENT,
        "aiogram_alone": plain,
        "report_flow": report,
        "echo": echo,
        "ratio_echo_to_aiogram": echo_ratio,
        "target_echo_ratio": TARGET_ECHO_RATIO,
        "ratio_report_to_aiogram": report_ratio,
        "target_report_ratio": TARGET_REPORT_RATIO,
        "ratio_report_to_echo": ratio(report, echo),
        "rounds": rounds,
        "latency_at_offered_rate": lat,
        "highest_rate_p99_under_250_ms": phases["sweep"]["highest_rate"],
        "latency_sweep": phases["sweep"]["points"],
        "errors_logged": errors,
        "flood_limit": FLOOD_LIMIT,
        "seed": args.seed,
        "passed": passed,
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }


class ErrorCounter(logging.Handler):
    """Counts the errors the app logs (a failed handler is logged and answered, not raised)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(log.name):
            self.count += 1


class OneLineFormatter(logging.Formatter):
    """Log lines on stderr with one line for an exception instead of its whole traceback."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's own name
        return f"    {describe(ei[1])}" if ei[1] is not None else ""


def configure_logging() -> ErrorCounter:
    """Progress and the app's warnings on stderr; app errors counted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    log.setLevel(logging.INFO)
    counter = ErrorCounter()
    logging.getLogger().addHandler(counter)
    return counter


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--residents", type=int, default=200, help="chats in flight at once")
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved pairs of aiogram alone and echo"
    )
    parser.add_argument("--rate", type=float, default=50.0, help="offered updates a second")
    parser.add_argument("--duration", type=float, default=20.0, help="latency phase, seconds")
    parser.add_argument("--population", type=int, default=50, help="residents mid-dialog")
    parser.add_argument("--stall-timeout", type=float, default=10.0, help="seconds")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    parser.add_argument(
        "--database", default=None, help="a server URL (postgresql+asyncpg://...); SQLite if unset"
    )
    parser.add_argument(
        "--sweep",
        type=lambda value: [float(rate) for rate in value.split(",") if rate],
        default=[50.0, 75.0, 100.0, 150.0, 200.0, 300.0, 400.0],
        help="rates of the latency sweep, comma-separated ('' for none)",
    )
    parser.add_argument("--sweep-duration", type=float, default=10.0, help="seconds per rate")
    parser.add_argument(
        "--api-latency",
        type=float,
        default=0.0,
        help="milliseconds each Bot API call takes (0: none, the ratios' setting)",
    )
    workers = parser.add_argument_group("--workers mode (see the module docstring)")
    workers.add_argument(
        "--workers", type=int, default=0, help="N: measure 1 and N liaison run workers"
    )
    workers.add_argument("--redis", default=None, help="Redis URL the workers share")
    workers.add_argument(
        "--connections",
        type=int,
        default=40,
        help="webhook connections at once, shared by the workers (40: Telegram's default)",
    )
    workers.add_argument(
        "--step-timeout", type=float, default=30.0, help="seconds a resident waits for an answer"
    )
    workers.add_argument(
        "--worker-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one more LIAISON_ setting of every worker, e.g. MAX_CONCURRENT_UPDATES=8",
    )
    workers.add_argument(
        "--no-sqlite", action="store_true", help="leave out the one worker on SQLite"
    )
    workers.add_argument(
        "--worker-log-level", default="WARNING", help="INFO also counts the replays ignored"
    )
    args = parser.parse_args(argv)
    if args.workers and (args.database is None or args.redis is None):
        parser.error("--workers needs --database (a server URL) and --redis")
    return args


async def run_workers(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--workers`` mode; aiogram alone runs here, in this process, on an SQLite file."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as temp:
        db = await open_database(Path(temp), None)
        bench = build_bench(db, Path(temp), args.seed)
        stall = args.stall_timeout

        async def aiogram_alone(number: int) -> dict[str, Any]:
            return await run_phase(
                f"aiogram alone, round {number}",
                bench,
                throughput(bench, bench.plain_dp, echo_dialog, args.residents),
                stall,
            )

        try:
            warm = throughput(bench, bench.plain_dp, echo_dialog, WARMUP_CHATS)
            await run_phase("warm-up", bench, warm, stall)
            return await workers_mode(args, Path(temp), aiogram_alone)
        finally:
            await close(bench)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the JSON, return the exit code."""
    args = parse_args(argv)
    errors = configure_logging()
    if args.workers:
        result = asyncio.run(run_workers(args))
        print(json.dumps(result, ensure_ascii=False))
        return 0 if result["passed"] else 1
    result = summary(args, asyncio.run(run(args)), errors.count)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
