"""The workers of ``bench/updates.py --workers``: ``liaison run`` processes on webhooks.

Each is the venv's ``liaison`` console script, configured by its environment alone (nothing of
the caller's ``LIAISON_`` variables, no ``.env``: it runs in the run's own folder), with
Telegram in webhook mode and a secret, on a port of its own, the web chat off, logging at
``--worker-log-level`` (WARNING: no request is logged), pointed at the fake Bot API.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.updates_driver import DriveError, Replies

TOKEN = "654321:BENCH-workers-token"
SECRET = "bench-workers-secret"
WEBHOOK_PATH = "/telegram/webhook"
# The last of these in a traceback says what went wrong; SQLAlchemy adds lines after it.
EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception|Exit)\b")
# Every simulated update must be handled: none may be dropped as a flood.
FLOOD_LIMIT = 10_000
CLOCK_START = "2026-11-20T10:00:00+08:00"


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Worker:
    """One ``liaison run`` process, its webhook and its log."""

    process: asyncio.subprocess.Process
    port: int
    log_path: Path

    @property
    def webhook(self) -> str:
        """The URL its webhook is served at."""
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    def errors(self) -> list[str]:
        """Each ERROR or CRITICAL line of its log, with the last line of its traceback."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        found = []
        for index, line in enumerate(lines):
            if " ERROR " not in line and " CRITICAL " not in line:
                continue
            cause = ""
            for following in lines[index + 1 :]:
                if following[:4].isdigit():  # the next record's timestamp
                    break
                if EXCEPTION_LINE.match(following):
                    cause = following.strip()
            found.append(f"{line} [{cause}]" if cause else line)
        return found

    def count(self, words: str) -> int:
        """Lines of its log holding ``words``."""
        return self.log_path.read_text(errors="replace").count(words)

    def tail(self, lines: int = 6) -> str:
        """The end of its log."""
        return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def worker_env(
    database_url: str,
    redis_url: str | None,
    api_url: str,
    port: int,
    data_dir: Path,
    level: str,
    extra: Sequence[str] = (),
) -> dict[str, str]:
    """The environment of one worker: nothing of the caller's ``LIAISON_`` settings.

    ``extra`` are more settings, ``NAME=VALUE`` each (``LIAISON_`` is added to the name).
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIAISON_")}
    env.update(
        {
            "LIAISON_DATABASE_URL": database_url,
            "LIAISON_TELEGRAM_TOKEN": TOKEN,
            "LIAISON_TELEGRAM_API_URL": api_url,
            "LIAISON_WEBHOOK_URL": f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
            "LIAISON_WEBHOOK_PATH": WEBHOOK_PATH,
            "LIAISON_WEBHOOK_SECRET": SECRET,
            "LIAISON_WEB_HOST": "127.0.0.1",
            "LIAISON_WEB_PORT": str(port),
            "LIAISON_WEB_ENABLED": "false",
            "LIAISON_DATA_DIR": str(data_dir),
            "LIAISON_DEFAULT_LOCALE": "en",
            "LIAISON_FLOOD_LIMIT": str(FLOOD_LIMIT),
            # The fake has no rate cap: neither must the workers' shared Telegram rate, or
            # Telegram's 30 a second would be measured instead of the workers.
            "LIAISON_PAID_BROADCAST": "true",
            # A weekday morning, whatever day it is: no quiet hours, no quarter's end.
            "LIAISON_CLOCK_START": CLOCK_START,
            "LIAISON_DELIVERY_RATE": "1000",
            "LIAISON_LOG_LEVEL": level,
        }
    )
    if redis_url is not None:
        env["LIAISON_REDIS_URL"] = redis_url
    for setting in extra:
        name, _, value = setting.partition("=")
        env[f"LIAISON_{name.upper().removeprefix('LIAISON_')}"] = value
    return env


async def start_workers(
    count: int,
    database_url: str,
    redis_url: str | None,
    api_url: str,
    directory: Path,
    level: str,
    extra: Sequence[str] = (),
) -> list[Worker]:
    """``count`` workers of the venv's ``liaison`` script, configured by environment alone."""
    script = Path(sys.executable).with_name("liaison")
    workers = []
    for index in range(count):
        port = free_port()
        log_path = directory / f"worker-{index}.log"
        env = worker_env(database_url, redis_url, api_url, port, directory / "var", level, extra)
        with log_path.open("wb") as log_file:
            process = await asyncio.create_subprocess_exec(
                str(script),
                "run",
                env=env,
                cwd=directory,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
            )
        workers.append(Worker(process, port, log_path))
    return workers


async def wait_ready(workers: list[Worker], replies: Replies, timeout: float) -> None:
    """Every worker answers ``/healthz`` and registered its webhook with the fake."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        for worker in workers:
            while True:
                with contextlib.suppress(aiohttp.ClientError):
                    url = f"http://127.0.0.1:{worker.port}/healthz"
                    async with http.get(url) as response:
                        if response.status == 200 and worker.webhook in replies.webhooks:
                            break
                if worker.process.returncode is not None or time.monotonic() > deadline:
                    raise DriveError(f"worker on port {worker.port} not ready: {worker.tail()}")
                await asyncio.sleep(0.1)


async def stop_workers(workers: list[Worker], timeout: float = 30.0) -> None:
    """SIGINT, as an operator stops them; SIGKILL for one that does not end in ``timeout``."""
    for worker in workers:
        if worker.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                worker.process.send_signal(signal.SIGINT)
    for worker in workers:
        try:
            await asyncio.wait_for(worker.process.wait(), timeout)
        except TimeoutError:
            worker.process.kill()
            await worker.process.wait()
