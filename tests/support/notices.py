"""Notices in tests: the real renderer, and a look at what the outbox holds."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from sqlalchemy import select

from bot.i18n import build_i18n
from handlers.notifications import ChatNotifier
from services.outbox.queue import Outgoing
from storage.db import Database
from storage.models import OutboxMessage
from tests.conftest import START  # noqa: F401  (re-exported for convenience)

TZ = ZoneInfo("Asia/Shanghai")


def notifier(i18n: I18n | None = None) -> ChatNotifier:
    return ChatNotifier(i18n or build_i18n("en"), TZ)


async def outbox(db: Database, kind: str | None = None) -> list[OutboxMessage]:
    async with db.session() as session:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            stmt = stmt.where(OutboxMessage.kind == kind)
        return list((await session.execute(stmt)).scalars())


def message_of(row: OutboxMessage) -> Outgoing:
    return Outgoing.loads(row.payload)


def button_data(row: OutboxMessage, contains: str) -> str:
    for line in message_of(row).buttons:
        for button in line:
            if contains in button["text"]:
                return button["callback_data"]
    raise AssertionError(f"no {contains!r} button in {message_of(row).buttons}")
