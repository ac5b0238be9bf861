"""The app under ``bench/wechat.py``: ``bot.runner.serve`` in a child process of its own.

The child is this benchmark's own file started with ``--app SETTINGS_JSON``; it serves the
demo data on a fresh database (an SQLite file, or one created on a PostgreSQL server and
dropped afterwards) with the WeChat service account and Telegram configured
against the fakes of the parent, and stops on SIGINT as ``liaison run`` does. Its log goes to
a file; the errors in it are counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

BENCH_FILE = Path(__file__).resolve().parent / "wechat.py"
WECHAT_TOKEN = "bench-wechat-token"
WECHAT_APP_ID = "wx-fake-app"
TELEGRAM_TOKEN = "123456:BENCH-wechat-token"


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_settings(
    directory: Path,
    *,
    database_url: str | None,
    wechat_url: str,
    telegram_url: str,
    aes_key: str | None,
) -> dict[str, Any]:
    """The child's settings, as JSON values: fresh database, both channels on the fakes."""
    values: dict[str, Any] = {
        "database_url": database_url or f"sqlite+aiosqlite:///{directory / 'liaison.db'}",
        "data_dir": str(directory / "var"),
        "web_port": free_port(),
        "default_locale": "en",
        "redis_url": None,
        "telegram_token": TELEGRAM_TOKEN,
        "telegram_api_url": telegram_url,
        "wechat_app_id": WECHAT_APP_ID,
        "wechat_app_secret": "bench-secret",
        "wechat_token": WECHAT_TOKEN,
        "wechat_api_url": wechat_url,
    }
    if aes_key is not None:
        values["wechat_aes_key"] = aes_key
    return values


@contextlib.asynccontextmanager
async def fresh_database(server_url: str | None) -> AsyncIterator[str | None]:
    """A new, empty database on the server of ``server_url``, dropped afterwards (None: SQLite)."""
    if server_url is None:
        yield None
        return
    admin_url = make_url(server_url)
    name = f"liaison_bench_wechat_{uuid.uuid4().hex[:10]}"
    await _on_server(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        await _on_server(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _on_server(admin_url: URL, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def serve_app(settings_json: str) -> None:
    """The child: serve the demo with these settings until SIGINT or SIGTERM."""
    from bot.runner import serve
    from bot.settings import Settings

    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    settings = Settings(**json.loads(settings_json), _env_file=None)
    asyncio.run(serve(settings, seed_demo=True))


class AppProcess:
    """The running child, its address and its log."""

    def __init__(
        self, process: asyncio.subprocess.Process, values: dict[str, Any], log_path: Path
    ) -> None:
        self.process = process
        self.values = values
        self.log_path = log_path

    @property
    def base_url(self) -> str:
        """Where the app's web server answers."""
        return f"http://127.0.0.1:{self.values['web_port']}"

    @classmethod
    async def start(cls, values: dict[str, Any], log_path: Path) -> AppProcess:
        """Start the child; it migrates and seeds before it answers (see ``healthy``)."""
        with log_path.open("wb") as log_file:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(BENCH_FILE),
                "--app",
                json.dumps(values),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
            )
        return cls(process, values, log_path)

    async def healthy(self, timeout: float) -> float:
        """Wait until ``/healthz`` answers 200; the seconds it took."""
        started = time.perf_counter()
        deadline = started + timeout
        async with aiohttp.ClientSession() as http:
            while True:
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{self.base_url}/healthz") as response:
                        if response.status == 200:
                            return time.perf_counter() - started
                if self.process.returncode is not None or time.perf_counter() > deadline:
                    raise RuntimeError(f"the app did not start: {self.tail()}")
                await asyncio.sleep(0.1)

    async def stop(self, timeout: float = 30.0) -> int | None:
        """SIGINT, as an operator stops it; SIGKILL if it does not end in ``timeout``."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode

    def errors_logged(self) -> list[str]:
        """The ERROR and CRITICAL lines of the app's log."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [line for line in lines if line.startswith(("ERROR", "CRITICAL"))]

    def tail(self, lines: int = 8) -> str:
        """The end of the app's log."""
        return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
