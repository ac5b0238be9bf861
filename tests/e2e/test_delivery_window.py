"""The delivery loop and a channel with a message budget: template messages, held notices."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import select
from typer.testing import CliRunner

from bot.channels.budget import OutsideWindowError
from bot.cli import app
from bot.delivery import HELD_REASON, DeliverySettings, DeliveryWorker
from bot.settings import WeChatTemplate
from services.clock import ManualClock
from services.outbox.queue import Outgoing, Recipient, enqueue, release_held
from storage.db import Database, write_transaction
from storage.models import OutboxMessage
from tests.support.factories import add_chats
from tests.support.recording import RecordingSession

TZ = ZoneInfo("Asia/Shanghai")
DAYTIME = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
FACTS = {"case": "2026-000007", "title": "Street light", "status": "Answered"}
TEMPLATE = WeChatTemplate(
    template_id="tpl-1", fields={"character_string1": "case", "thing2": "title"}
)


class WindowSession(RecordingSession):
    """Refuses free-form messages to the chats whose window is ``shut``."""

    def __init__(self) -> None:
        super().__init__()
        self.shut: set[int] = set()

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if getattr(method, "chat_id", None) in self.shut:
            raise OutsideWindowError(method=method, message="outside the 48-hour window")
        return await super().make_request(bot, method, timeout)


class Templates:
    """A template sender that records what it sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, dict[str, str]]] = []
        self._ids = itertools.count(9000)

    async def send_template(
        self, chat_id: int, template_id: str, data: dict[str, str], *, url: str | None = None
    ) -> int:
        self.sent.append((chat_id, template_id, data))
        return next(self._ids)


def worker(
    db: Database, clock: ManualClock, session: WindowSession, templates: Templates, **extra: Any
) -> DeliveryWorker:
    settings = DeliverySettings(
        rates={"wechat": 500.0},
        quiet_start=dt.time(21, 0),
        quiet_end=dt.time(8, 0),
        tz=TZ,
        files_dir=Path("files"),  # no message here carries a file
        template_messages={"wechat": {"case-status": TEMPLATE}},
        **extra,
    )
    bot = Bot("4242:window", session=session)
    return DeliveryWorker(db, clock, {"wechat": bot}, settings, templates={"wechat": templates})


async def queued(
    db: Database, chat_id: int, kind: str, clock: ManualClock, **extra: Any
) -> Recipient:
    [identity] = await add_chats(db, [chat_id], now=clock.now(), channel="wechat")
    to = Recipient.of(identity)
    async with db.session() as session:
        await enqueue(
            session,
            to=to,
            message=Outgoing(text=f"<b>{kind}</b>", facts=FACTS),
            dedupe_key=f"{kind}:{chat_id}",
            now=clock.now(),
            kind=kind,
            **extra,
        )
    return to


async def rows(db: Database) -> dict[str, OutboxMessage]:
    async with db.session() as session:
        found = (await session.execute(select(OutboxMessage))).scalars().all()
    return {row.dedupe_key: row for row in found}


async def test_a_shut_window_sends_the_configured_template(db: Database) -> None:
    clock = ManualClock(DAYTIME)
    session, templates = WindowSession(), Templates()
    await queued(db, 501, "case-status", clock)
    session.shut.add(501)
    assert await worker(db, clock, session, templates).run_once() == 1
    assert templates.sent == [
        (501, "tpl-1", {"character_string1": "2026-000007", "thing2": "Street light"})
    ]
    row = (await rows(db))["case-status:501"]
    assert (row.state, row.sent_message_id) == ("sent", 9000)
    assert row.last_error == "sent as template message tpl-1"


async def test_without_a_template_the_notice_is_held_then_released(db: Database) -> None:
    clock = ManualClock(DAYTIME)
    session, templates = WindowSession(), Templates()
    to = await queued(db, 502, "case-reply", clock)
    session.shut.add(502)
    delivery = worker(db, clock, session, templates)
    await delivery.run_once()
    row = (await rows(db))["case-reply:502"]
    assert (row.state, row.attempts, row.last_error) == ("held", 0, HELD_REASON)
    assert templates.sent == []
    # Held rows are not claimed again: nothing spins on them.
    clock.advance(dt.timedelta(hours=1))
    assert await delivery.run_once() == 0
    # The resident writes again: the window opens and the notice goes on the next drain.
    session.shut.clear()
    async with db.session() as db_session, write_transaction(db_session):
        assert await release_held(db_session, channel="wechat", chat_id=502, now=clock.now()) == 1
    assert await delivery.run_once() == 1
    row = (await rows(db))["case-reply:502"]
    assert (row.state, row.attempts) == ("sent", 1)
    assert [r.text for r in session.requests if hasattr(r, "text")] == ["<b>case-reply</b>"]
    assert to.chat_id == 502


async def test_a_held_notice_past_its_expiry_fails(db: Database) -> None:
    clock = ManualClock(DAYTIME)
    session, templates = WindowSession(), Templates()
    expires = DAYTIME + dt.timedelta(hours=2)
    await queued(db, 503, "case-reply", clock, expires_at=expires)
    session.shut.add(503)
    delivery = worker(db, clock, session, templates)
    await delivery.run_once()
    assert (await rows(db))["case-reply:503"].state == "held"
    clock.advance(dt.timedelta(hours=3))
    await delivery.run_once()
    row = (await rows(db))["case-reply:503"]
    assert (row.state, row.last_error) == ("failed", "expired before it could be sent")


async def test_the_gap_between_messages_to_one_chat_is_per_channel(db: Database) -> None:
    clock = ManualClock(DAYTIME)
    delivery = worker(db, clock, WindowSession(), Templates(), per_chat_interval={"wechat": 2.0})
    lane = delivery.lanes["wechat"]
    assert lane.chats.interval == 2.0
    # Half a lease of messages per chat at most: two seconds apart, half as many as at one.
    assert lane.per_chat == int(120 / 2.0 / 2)


async def test_liaison_outbox_shows_held_notices(db: Database, monkeypatch: Any) -> None:
    clock = ManualClock(DAYTIME)
    session = WindowSession()
    await queued(db, 504, "case-reply", clock)
    session.shut.add(504)
    await worker(db, clock, session, Templates()).run_once()
    await db.dispose()
    url = db.url.render_as_string(hide_password=False)
    monkeypatch.setenv("LIAISON_DATABASE_URL", url)
    monkeypatch.setenv("LIAISON_CLOCK_START", (DAYTIME + dt.timedelta(hours=5)).isoformat())
    runner = CliRunner()
    # The command runs its own event loop: in a thread of its own, as from a shell.
    result = await asyncio.to_thread(runner.invoke, app, ["outbox", "--held", "--locale", "en"])
    assert result.exit_code == 0, result.output
    assert "held: 1" in result.output
    assert "wechat: 1 held, the oldest for 5 h 0 min" in result.output
    assert f"wechat:504 case-reply held for 5 h 0 min: {HELD_REASON}" in result.output
    result = await asyncio.to_thread(runner.invoke, app, ["outbox", "--held", "--locale", "zh_CN"])
    assert "等待对方再次发消息：已超出 48 小时客服消息时限" in result.output
    assert "暂缓 1 条" in result.output
