"""A lean fake Bot API for ``bench/updates.py --workers``, in a process of its own.

Run as ``python bench/updates_fake.py`` (the harness does): it listens on a free port of
127.0.0.1, prints ``{"port": ...}`` on stdout, then answers every Bot API method with a
Telegram-shaped result (``getMe`` a bot user; ``send*`` and ``edit*`` a message, each
``sendMessage`` with the next message id; everything else ``true``) and reports each call
that concerns a chat to the parent, one JSON line on stdout each:
``[method, chat_id, callback_query_id, message_id, text, reply_markup, url]``. The end of
stdin stops it, after a last line ``{"calls": {method: count}}``.

It validates nothing and keeps nothing but the counters. ``tests.support.fake_bot_api.FakeBotAPI``
checks every call as Telegram would and records each one, which a long run would pile up;
``python bench/updates_fake.py --ceiling`` measures both with the same bare client (aiohttp,
100 connections, urlencoded ``sendMessage`` as aiogram sends it), each fake alone in its own
process: the calls a second each answered and its own CPU time per call. On the 2-core
reference machine both cost about 0.1 ms of CPU a call (the client, not the fake, bounds the
rate, near 3,000 a second); in a workers run this one spends under 1 ms of CPU per update,
against a worker's 11 ms. The in-repo fake would not have been the bottleneck either, but it
cannot tell the driver which chat was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bench.updates_cpu import cpu_seconds  # noqa: E402

BOT_NAME = "Liaison"
BOT_USERNAME = "liaison_bench_bot"
# Fields the harness reads back; the rest of a call is answered and forgotten.
REPORTED = ("chat_id", "callback_query_id", "message_id", "text", "reply_markup", "url")


class LeanBotAPI:
    """Answers every method at once; tells ``report`` about each call that names a chat."""

    def __init__(self, report: Any) -> None:
        self.report = report
        self.calls: Counter[str] = Counter()
        self._message_ids = iter(range(1, 1 << 62))

    async def on_request(self, request: web.Request) -> web.Response:
        """One Bot API call: its result, shaped as Telegram shapes it."""
        method = request.match_info["method"]
        self.calls[method] += 1
        form = await request.post() if request.can_read_body else {}
        fields = [form.get(name) for name in REPORTED]
        result: Any = True
        lowered = method.lower()
        if lowered == "getme":
            result = self._bot(request.match_info["token"])
        elif lowered.startswith(("send", "edit")) and fields[0] is not None:
            if lowered.startswith("send"):
                fields[2] = str(next(self._message_ids))
            result = self._message(request.match_info["token"], fields)
        if fields[0] is not None or fields[1] is not None or lowered == "setwebhook":
            self.report([method, *fields])
        return web.Response(
            body=json.dumps({"ok": True, "result": result}), content_type="application/json"
        )

    @staticmethod
    def _bot(token: str) -> dict[str, Any]:
        bot_id = int(token.split(":", 1)[0])
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": BOT_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message(self, token: str, fields: list[Any]) -> dict[str, Any]:
        chat_id = int(fields[0])
        message: dict[str, Any] = {
            "message_id": int(fields[2] or 1),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": self._bot(token),
        }
        if fields[3] is not None:
            message["text"] = fields[3]
        return message


class LineWriter:
    """JSON lines to stdout, written once per turn of the loop rather than once per call."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._scheduled = False

    def __call__(self, payload: Any) -> None:
        self._lines.append(json.dumps(payload, ensure_ascii=False))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write what is buffered."""
        self._scheduled = False
        if self._lines:
            lines, self._lines = self._lines, []
            with contextlib.suppress(BrokenPipeError):
                sys.stdout.write("\n".join(lines) + "\n")
                sys.stdout.flush()


async def serve(port: int = 0) -> None:
    """The child: serve until stdin ends, then print the method counts."""
    writer = LineWriter()
    api = LeanBotAPI(writer)
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", api.on_request)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    writer({"port": int(runner.addresses[0][1])})
    try:
        while await asyncio.to_thread(sys.stdin.readline):
            pass
    finally:
        writer({"calls": dict(api.calls)})
        writer.flush()
        await runner.cleanup()


async def serve_in_repo_fake() -> None:
    """The child for ``--ceiling``: the in-repo FakeBotAPI, until stdin ends."""
    from tests.support.fake_bot_api import FakeBotAPI

    async with FakeBotAPI() as fake:
        print(json.dumps({"port": fake.port}), flush=True)
        while await asyncio.to_thread(sys.stdin.readline):
            pass


class FakeProcess:
    """The parent's handle on a fake child: its port and its stream of call lines."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port

    @property
    def base_url(self) -> str:
        """Where the Bot API is served."""
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    async def start(cls, *extra: str) -> FakeProcess:
        """Start the child and wait until it listens."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            *extra,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=16 * 1024 * 1024,
        )
        fake = cls(process, 0)
        try:
            line = await fake.readline(timeout=30.0)
            fake.port = int(json.loads(line)["port"])
        except BaseException:
            await fake.close()
            raise
        return fake

    async def readline(self, timeout: float | None = None) -> bytes:
        """The next line the child printed; EOFError when it ended."""
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            raise EOFError("the fake Bot API process ended")
        return line

    async def close(self, timeout: float = 10.0) -> None:
        """End its stdin; kill it if it does not end by itself."""
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def ceiling(kind: str, calls: int, connections: int = 100) -> dict[str, float]:
    """What one fake does for a bare client sending ``sendMessage`` forms.

    The rate is bounded by the client as much as by the fake on two cores; the fake's own CPU
    time per call is what it would take from the app under test.
    """
    fake = await FakeProcess.start("--serve", kind)
    before = cpu_seconds(fake.process.pid)
    drain = asyncio.create_task(_discard(fake))
    try:
        url = f"{fake.base_url}/bot123456:CEILING/sendMessage"
        numbers = iter(range(calls))
        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def sender() -> None:
                for index in numbers:
                    form = {"chat_id": str(1000 + index % 500), "text": f"ceiling {index}"}
                    async with http.post(url, data=form) as response:
                        await response.read()
                        if response.status != 200:
                            raise RuntimeError(f"{kind} fake answered {response.status}")

            started = time.perf_counter()
            await asyncio.gather(*(sender() for _ in range(connections)))
            seconds = time.perf_counter() - started
        spent = cpu_seconds(fake.process.pid) - before
        return {
            "calls_per_second": round(calls / seconds),
            "fake_cpu_ms_per_call": round(spent / calls * 1000, 3),
        }
    finally:
        await fake.close()
        drain.cancel()


async def _discard(fake: FakeProcess) -> None:
    with contextlib.suppress(EOFError):
        while True:
            await fake.readline()


def main() -> None:
    """``--serve lean|in-repo`` (the default: lean) or ``--ceiling``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--serve", choices=["lean", "in-repo"], default="lean")
    parser.add_argument("--ceiling", action="store_true", help="measure both fakes, print JSON")
    parser.add_argument("--calls", type=int, default=5000, help="calls per ceiling measure")
    args = parser.parse_args()
    if args.ceiling:
        found = {kind: asyncio.run(ceiling(kind, args.calls)) for kind in ("lean", "in-repo")}
        print(json.dumps(found))
    elif args.serve == "in-repo":
        asyncio.run(serve_in_repo_fake())
    else:
        asyncio.run(serve())


if __name__ == "__main__":
    main()
