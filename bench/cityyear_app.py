"""The app under test as its operator runs it: ``liaison`` commands and ``liaison run`` workers.

A topology is one database URL, an optional Redis URL and a list of worker ports. Every
worker is ``liaison run`` configured by its environment alone (started in a folder with no
``.env``), pointed at the fake Bot API, with the same ``LIAISON_CLOCK_START``,
``LIAISON_CLOCK_SPEED`` and ``LIAISON_CLOCK_ORIGIN`` so that all of them, and the simulated
people, share one compressed calendar. One worker takes Telegram by long polling; several take
it by webhook (a round-robin front in the bench spreads Telegram's POSTs over them, as a load
balancer would).

Each worker's peak resident memory is read from ``/proc/<pid>/status`` (``VmHWM``) while it
runs, since a killed or exited process can no longer be asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "777001:CITYYEAR-bench"
WEBHOOK_SECRET = "cityyear-webhook-secret"


@dataclass
class Topology:
    """Where the app keeps its state and how many workers serve it."""

    name: str
    database_url: str
    redis_url: str | None
    ports: list[int]


@dataclass
class Calendar:
    """The compressed clock shared by every worker and the bench."""

    start: dt.datetime
    speed: float
    origin: dt.datetime

    def now(self) -> dt.datetime:
        """The bot's time now."""
        return self.start + (dt.datetime.now(dt.UTC) - self.origin) * self.speed

    def real_seconds(self, bot_time: dt.timedelta) -> float:
        """How long ``bot_time`` takes on the wall clock."""
        return bot_time.total_seconds() / self.speed

    def wall_time_of(self, moment: dt.datetime) -> float:
        """Seconds from now (wall clock) until the bot's clock reads ``moment``."""
        return self.real_seconds(moment - self.now())


def liaison_command() -> list[str]:
    """The ``liaison`` console script next to this Python, or its equivalent."""
    script = Path(sys.executable).with_name("liaison")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def base_env(topology: Topology, api_url: str, data_dir: Path) -> dict[str, str]:
    """The environment every ``liaison`` command of this run is configured by."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIAISON_")}
    env.update(
        {
            "LIAISON_DATABASE_URL": topology.database_url,
            "LIAISON_TELEGRAM_TOKEN": TOKEN,
            "LIAISON_TELEGRAM_API_URL": api_url,
            "LIAISON_DATA_DIR": str(data_dir),
            "LIAISON_DEFAULT_LOCALE": "en",
            "LIAISON_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    if topology.redis_url:
        env["LIAISON_REDIS_URL"] = topology.redis_url
    return env


def clock_env(calendar: Calendar) -> dict[str, str]:
    """The three settings that make every process read the same compressed calendar."""
    return {
        "LIAISON_CLOCK_START": calendar.start.isoformat(),
        "LIAISON_CLOCK_SPEED": f"{calendar.speed:g}",
        "LIAISON_CLOCK_ORIGIN": calendar.origin.isoformat(),
    }


def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> str:
    """Run one ``liaison`` command as an operator would; its output, or an error with it."""
    done = subprocess.run(
        [*liaison_command(), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"liaison {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done.stdout


def peak_memory_kib(pid: int) -> int:
    """``VmHWM`` of a running process in KiB (0 once it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


@dataclass
class Worker:
    """One ``liaison run`` process and what is known of it."""

    port: int
    env: dict[str, str]
    cwd: Path
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    peak_kib: int = 0
    starts: int = 0
    log: IO[str] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        """Its web server."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self, profile: Path | None = None) -> None:
        """Start ``liaison run`` and wait until ``/healthz`` answers."""
        if self.log is None:
            self.log = self.log_path.open("a")
        command = liaison_command()
        if profile is not None:
            profile_file = str(profile.with_suffix(f".{self.port}.{self.starts}.prof"))
            command = [sys.executable, "-m", "cProfile", "-o", profile_file, command[0]]
        self.process = await asyncio.create_subprocess_exec(
            *command,
            "run",
            env={**self.env, "LIAISON_WEB_PORT": str(self.port)},
            cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self.log,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.starts += 1
        await self.wait_healthy()

    async def wait_healthy(self, timeout: float = 120) -> None:
        """Return once the worker answers its health check; fail with its log if it dies."""
        deadline = time.monotonic() + timeout
        while True:
            if await asyncio.to_thread(_healthy, self.base_url):
                return
            assert self.process is not None
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.port} did not start: {self.tail()}")
            await asyncio.sleep(0.2)

    def sample_memory(self) -> None:
        """Keep the highest VmHWM seen (the kernel keeps the peak; read it while alive)."""
        if self.process is not None and self.process.returncode is None:
            self.peak_kib = max(self.peak_kib, peak_memory_kib(self.process.pid))

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.returncode is None:
            self.sample_memory()
            os.kill(self.process.pid, signal.SIGKILL)

    async def stop(self, timeout: float = 30) -> None:
        """SIGINT, as an operator stops it; SIGKILL if it does not end in time."""
        if self.process is None:
            return
        self.sample_memory()
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
        await self.process.wait()

    def close(self) -> None:
        """Close its log."""
        if self.log is not None:
            self.log.close()
            self.log = None

    def tail(self, lines: int = 15) -> str:
        """The end of its log."""
        if self.log is not None:
            self.log.flush()
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False
