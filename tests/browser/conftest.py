"""A real server process and a real Chromium for the web chat tests."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import START, missing
from tests.support.processes import free_port, wait_healthy

CHROMIUM = os.environ.get("LIAISON_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_moment() -> dt.datetime:
    """Where the server's clock starts; a test overrides it to try an awkward moment."""
    return START


@pytest.fixture
def live_server(tmp_path: Path, app_moment: dt.datetime) -> Iterator[str]:
    """``liaison demo`` in a subprocess on a free port, with its own database and a pinned clock."""
    port = free_port()
    env = {
        **os.environ,
        "LIAISON_CLOCK_START": app_moment.isoformat(),
        "LIAISON_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}",
        "LIAISON_DATA_DIR": str(tmp_path / "var"),
        "LIAISON_DEFAULT_LOCALE": "zh_CN",
        "LIAISON_TELEGRAM_TOKEN": "",
    }
    env.pop("LIAISON_TELEGRAM_TOKEN")
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, tmp_path / "server.log")
    except RuntimeError:
        process.kill()
        process.wait()
        log.close()
        raise
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture
def chromium_path() -> str:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[object]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        missing("playwright is not installed")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()
