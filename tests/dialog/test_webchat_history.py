"""The web chat's history and uploads in the database: bounded, flood-checked, cleaned up."""

from __future__ import annotations

import datetime as dt
import gc
import tracemalloc

from aiogram import Dispatcher
from aiogram.types import Update
from sqlalchemy import func, select

from bot.app import AppContext, build_context, build_dispatcher
from bot.channels.webchat import WebChat
from bot.scheduler import webchat_cleanup_job
from bot.settings import Settings
from services.clock import ManualClock
from storage.db import Database
from storage.models import WebChatFile, WebChatHistoryEntry
from tests.dialog.test_privacy_webchat import WebUser, png, upload
from tests.support.flows import submit_report

CHAT = 10**12 + 777_001


def restarted(app: AppContext, settings: Settings | None = None) -> WebChat:
    """Another process's web chat over the same database and folder."""
    fresh = build_context(settings or app.settings, app.db, app.clock)
    return WebChat(fresh, build_dispatcher(fresh))


async def stored_count(db: Database, chat_id: int) -> int:
    async with db.session() as session:
        found = await session.execute(
            select(func.count()).where(WebChatHistoryEntry.chat_id == chat_id)
        )
        return int(found.scalar_one())


async def test_history_is_bounded_and_reloaded_after_a_restart(
    app: AppContext, clock: ManualClock
) -> None:
    settings = app.settings.model_copy(update={"webchat_history_length": 10})
    webchat = restarted(app, settings)
    me = WebUser(webchat, CHAT)
    for index in range(8):
        await me.send(f"/start {index}")
        clock.advance(dt.timedelta(seconds=10))  # a person, not a flood
    assert await stored_count(app.db, CHAT) == 10
    before = await webchat.store.history(CHAT)
    assert before[-1]["type"] == "message" and before[-2]["text"] == "/start 7"
    message_ids = [event["message_id"] for event in before]
    assert message_ids == sorted(message_ids)

    again = restarted(app, settings)
    assert await again.history(CHAT) == before
    # New messages after the restart sort after the old ones.
    me = WebUser(again, CHAT)
    [reply] = await me.send("/start")
    assert reply.event["message_id"] > message_ids[-1]


async def test_edits_and_deletions_change_the_stored_history(app: AppContext) -> None:
    webchat = restarted(app)
    me = WebUser(webchat, CHAT)
    await me.send("/start")
    sent = await webchat.bot.send_message(CHAT, "draft")
    await webchat.bot.edit_message_text("final", chat_id=CHAT, message_id=sent.message_id)
    stored = await webchat.store.find(CHAT, sent.message_id)
    assert stored is not None and stored["html"] == "final"
    await webchat.bot.delete_message(CHAT, sent.message_id)
    assert await webchat.store.find(CHAT, sent.message_id) is None


async def test_a_flood_is_not_stored(app: AppContext) -> None:
    settings = app.settings.model_copy(update={"flood_limit": 3})
    webchat = restarted(app, settings)
    me = WebUser(webchat, CHAT)
    for index in range(8):
        await me.send(f"message {index} " + "x" * 4000)
    own = [e for e in await webchat.store.history(CHAT) if e["type"] == "user_message"]
    assert [event["text"][:9] for event in own] == ["message 0", "message 1", "message 2"]
    assert "sending messages very fast" in (me.history()[-1]["html"] or "")


def forget_aiogram_cache() -> None:
    """aiogram keeps its last 128 updates (an lru_cache on ``Update.event_type``); not ours."""
    Update.event_type.fget.cache_clear()  # type: ignore[attr-defined]


async def test_memory_does_not_grow_with_the_chats_history(
    app: AppContext, dispatcher: Dispatcher
) -> None:
    webchat = WebChat(app, dispatcher)
    text = "x" * 4000

    async def chatter(first: int, chats: int) -> None:
        for chat in range(first, first + chats):
            user = WebUser(webchat, CHAT + chat)
            for index in range(5):
                await user.send(f"{index} {text}")
            webchat.hub.detach(user.chat_id, user.socket)  # type: ignore[arg-type]

    await chatter(0, 5)  # warm caches up first
    forget_aiogram_cache()
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.take_snapshot()
        await chatter(100, 30)
        forget_aiogram_cache()
        gc.collect()
        grown = sum(
            stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(start, "filename")
        )
    finally:
        tracemalloc.stop()
    # 30 chats sent 600 KB of text: kept in memory, it would be well over this.
    assert grown < 300_000, grown
    assert webchat.hub.chats() == 0
    assert await stored_count(app.db, CHAT + 129) == 10


async def test_unattached_uploads_go_after_the_configured_age(
    app: AppContext, clock: ManualClock
) -> None:
    webchat = restarted(app)
    me = WebUser(webchat, CHAT)
    me.images = {"photo-0": png("kept")}
    await submit_report(me, photos=1)
    stray = await upload(webchat, CHAT, png("stray"), "stray.png")
    kept = webchat.media.describe(png("kept")).file_id
    clock.advance(dt.timedelta(hours=app.settings.webchat_upload_hours) - dt.timedelta(minutes=1))
    await webchat_cleanup_job(app)
    assert webchat.media.path(stray) is not None
    clock.advance(dt.timedelta(minutes=2))
    await webchat_cleanup_job(app)
    assert webchat.media.path(stray) is None
    assert webchat.media.path(kept) is not None, "a case's photo stays"
    async with app.db.session() as session:
        rows = (await session.execute(select(WebChatFile))).scalars().all()
    assert [(row.file_id, row.attached) for row in rows] == [(kept, True)]


async def test_bytes_left_without_a_row_are_swept(app: AppContext) -> None:
    webchat = restarted(app)
    orphan = webchat.media.store(png("left behind by a crash")).file_id
    claimed = await upload(webchat, CHAT, png("claimed"), "claimed.png")
    await webchat_cleanup_job(app)
    assert webchat.media.path(orphan) is None
    assert webchat.media.path(claimed) is not None
