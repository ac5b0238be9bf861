"""The app as a real process: a free port, and a wait until it answers its health check."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

from tests.conftest import RUNNING_CLOCK, missing


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(
    base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90
) -> None:
    """Return once ``base``/healthz answers 200; fail with the server's log if it never does.

    A start migrates and seeds a fresh database first: on a busy two-core machine that has
    taken over 30 s, so the deadline only bounds a server that will never answer.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.1)


def liaison_script() -> Path:
    """The ``liaison`` console script of this virtualenv."""
    return Path(sys.executable).with_name("liaison")


async def start_liaison(
    args: list[str], env: dict[str, str], cwd: Path, log: IO[str]
) -> asyncio.subprocess.Process:
    """``liaison ARGS`` configured by ``env`` alone (no .env in ``cwd``).

    Its clock starts where the tests' running clock is: a second start after a kill picks the
    calendar up as a real restart would, so leases taken before the kill run out.
    """
    script = liaison_script()
    if not script.exists():
        missing(f"the liaison console script is not installed at {script}")
    pinned = {**env, "LIAISON_CLOCK_START": RUNNING_CLOCK.now().isoformat()}
    return await asyncio.create_subprocess_exec(
        str(script),
        *args,
        env=pinned,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )


async def reap(process: asyncio.subprocess.Process) -> None:
    """Kill the process if it still runs, and wait for it."""
    if process.returncode is None:
        process.kill()
    await process.wait()
