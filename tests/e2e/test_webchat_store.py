"""The web chat's files and history live in the database: erasure, expiry, quotas, restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import stat
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import AppContext, build_context, build_dispatcher
from bot.channels.webchat import WebChat
from bot.channels.webchat.identity import COOKIE_NAME
from bot.scheduler import webchat_cleanup_job
from bot.server import build_web_app
from bot.settings import Settings
from services.clock import ManualClock
from storage.db import Database
from storage.models import WebChatFile
from tests.e2e.test_webchat_server import Page, open_page

# Only a guard against a hang: every wait below ends on the frame it waits for.
GUARD = 30.0


@asynccontextmanager
async def serving(
    settings: Settings, clock: ManualClock, cookie: str | None = None
) -> AsyncIterator[tuple[TestClient, WebChat]]:
    """A fresh process's worth of objects (context, dispatcher, web chat) over the same files."""
    db = Database(settings.database_url)
    app = build_context(settings, db, clock)
    webchat = WebChat(app, build_dispatcher(app))
    try:
        async with TestClient(TestServer(build_web_app(webchat=webchat))) as client:
            if cookie is not None:
                client.session.cookie_jar.update_cookies({COOKIE_NAME: cookie})
            yield client, webchat
            await webchat.close()
    finally:
        await db.dispose()


async def until(page: Page, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Read the page's frames until one matches."""
    async with asyncio.timeout(GUARD):
        while True:
            event = await page.next_event()
            if wanted(event):
                return event


def message_with(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: event["type"] == "message" and text in (event.get("html") or "")


def with_button(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: (
        event["type"] == "message"
        and any(
            text in button["text"] for row in event.get("inline_keyboard") or [] for button in row
        )
    )


def with_document(event: dict[str, Any]) -> bool:
    return event["type"] == "message" and bool(event.get("document"))


async def history_of(client: TestClient) -> list[dict[str, Any]]:
    socket = await client.ws_connect("/webchat/ws?lang=en")
    await socket.receive()
    events: list[dict[str, Any]] = json.loads((await socket.receive()).data)["events"]
    await socket.close()
    return events


def cookie_of(client: TestClient) -> str:
    return next(c.value for c in client.session.cookie_jar if c.key == COOKIE_NAME)


def export_path(settings: Settings, url: str) -> Path:
    return settings.upload_dir / url.split("?")[0].rsplit("-", 1)[-1]


async def test_forget_after_a_restart_deletes_the_export_and_kills_its_link(
    settings: Settings, clock: ManualClock, sqlite_db: Database
) -> None:
    async with serving(settings, clock) as (client, _webchat):
        page = await open_page(client)
        await page.send("text", text="/mydata")
        export = (await until(page, with_document))["document"]
        assert (await client.get(export["url"])).status == 200
        cookie = cookie_of(client)
    path = export_path(settings, export["url"])
    assert path.exists()
    # Files are the bot's alone: uploads and exports carry personal data.
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(settings.upload_dir).st_mode) == 0o700

    async with serving(settings, clock, cookie) as (client, _webchat):
        # The page comes back with its history, export link and all.
        history = await history_of(client)
        assert any(event.get("document") for event in history)
        page = await open_page(client)
        await page.send("text", text="/forget")
        question = await until(page, with_button("Erase my data"))
        erase = next(
            button
            for row in question["inline_keyboard"]
            for button in row
            if "Erase my data" in button["text"]
        )
        await page.send("callback", message_id=question["message_id"], data=erase["callback_data"])
        await until(page, message_with("Everything stored about you here was erased"))
        assert not path.exists()
        assert (await client.get(export["url"])).status == 404
        assert await history_of(client) == [], "the farewell is shown, not kept"
    async with sqlite_db.session() as session:
        assert (await session.execute(select(WebChatFile))).scalars().all() == []


async def test_an_expired_export_is_refused_and_removed_by_the_cleanup_job(
    settings: Settings, clock: ManualClock, app: AppContext
) -> None:
    async with serving(settings, clock) as (client, _webchat):
        page = await open_page(client)
        await page.send("text", text="/mydata")
        export = (await until(page, with_document))["document"]
        path = export_path(settings, export["url"])
        clock.advance(dt.timedelta(hours=23))
        await webchat_cleanup_job(app)
        assert path.exists(), "a day is not over yet"
        clock.advance(dt.timedelta(hours=2))
        # The page signs its links afresh on every reload; the export is refused all the same.
        [fresh] = [event["document"] for event in await history_of(client) if event["document"]]
        assert fresh["url"] != export["url"]
        assert (await client.get(fresh["url"])).status == 404
        assert path.exists()
        await webchat_cleanup_job(app)
        assert not path.exists()
        assert (await client.get(fresh["url"])).status == 404


def _file(size: int = 10) -> dict[str, io.BytesIO]:
    return {"file": io.BytesIO(b"%PDF-1.7 " + os.urandom(size))}


async def _upload(client: TestClient, headers: dict[str, str] | None = None) -> int:
    response = await client.post("/webchat/upload", data=_file(), headers=headers)
    return response.status


async def test_uploads_are_limited_per_address_whatever_the_cookie(
    settings: Settings, clock: ManualClock
) -> None:
    limited = settings.model_copy(
        update={"webchat_uploads_per_hour": 3, "webchat_uploads_per_address_hour": 5}
    )
    async with serving(limited, clock) as (client, _webchat):
        await client.get("/")
        assert [await _upload(client) for _ in range(4)] == [200, 200, 200, 429]
        client.session.cookie_jar.clear()
        await client.get("/")
        assert [await _upload(client) for _ in range(3)] == [200, 200, 429]
        client.session.cookie_jar.clear()
        await client.get("/")
        # Without a trusted proxy, a forwarded address is anyone's guess: still refused.
        assert await _upload(client, {"X-Forwarded-For": "203.0.113.9"}) == 429

    behind_proxy = limited.model_copy(update={"trust_proxy": True})
    async with serving(behind_proxy, clock) as (client, _webchat):
        for address, expected in (("203.0.113.9", [200] * 3), ("203.0.113.10", [200, 200])):
            client.session.cookie_jar.clear()
            await client.get("/")
            headers = {"X-Forwarded-For": address}
            assert [await _upload(client, headers) for _ in expected] == expected
        client.session.cookie_jar.clear()
        await client.get("/")
        assert await _upload(client, {"X-Forwarded-For": "203.0.113.9"}) == 200
        assert await _upload(client, {"X-Forwarded-For": "203.0.113.9"}) == 200
        assert await _upload(client, {"X-Forwarded-For": "203.0.113.9"}) == 429


async def test_an_address_holds_only_so_many_bytes_no_case_took(
    settings: Settings, clock: ManualClock, app: AppContext
) -> None:
    capped = settings.model_copy(update={"webchat_address_pending_mb": 1})
    async with serving(capped, clock) as (client, _webchat):
        await client.get("/")
        half = 600 * 1024
        response = await client.post("/webchat/upload", data=_file(half))
        assert response.status == 200
        response = await client.post("/webchat/upload", data=_file(half))
        assert response.status == 429 and "Too many files" in (await response.json())["error"]
        client.session.cookie_jar.clear()
        await client.get("/")
        assert (await client.post("/webchat/upload", data=_file(half))).status == 429
        assert (await client.post("/webchat/upload", data=_file(100 * 1024))).status == 200
        # Once the old uploads are cleaned up, the address has room again.
        clock.advance(dt.timedelta(hours=capped.webchat_upload_hours, minutes=1))
        await webchat_cleanup_job(app)
        assert (await client.post("/webchat/upload", data=_file(half))).status == 200
