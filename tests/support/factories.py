"""Factories for test data (polyfactory): chat identities and residents' case drafts.

Every field a test does not name gets a plain, valid value; the numbers a test may compare
(chat ids, the clock) are fixed or counted, never random, so a failure replays.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from polyfactory import Use
from polyfactory.factories import DataclassFactory
from polyfactory.factories.pydantic_factory import ModelFactory

from services.cases.residents import IssueDraft
from storage.db import Database, write_transaction
from storage.enums import Role
from storage.models import ChatIdentity

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
FIRST_CHAT = 880_000


_CHAT_IDS = itertools.count(FIRST_CHAT)


class ChatIdentityFactory(ModelFactory[ChatIdentity]):
    """A private Telegram chat of a resident, first and last seen at ``NOW``."""

    __check_model__ = False

    id = None
    channel = "telegram"
    chat_id = Use(lambda: next(_CHAT_IDS))
    chat_type = "private"
    locale = None
    client_locale = None
    role = Role.RESIDENT.value
    blocked = False
    group_notice_sent = False
    invite_locked_until = None
    created_at = NOW
    last_seen_at = NOW


class IssueDraftFactory(DataclassFactory[IssueDraft]):
    """What a resident hands in: a description long enough, no photos, no place, anonymous.

    ``station_id`` and ``category_id`` come from the reference data: pass them.
    """

    __check_model__ = False

    description = "The street light at gate 3 has been dark for a week."
    photos = ()
    latitude = None
    longitude = None
    contact_phone = None
    channel = "telegram"
    token = None


async def add_chats(
    db: Database, chat_ids: range | list[int], *, now: dt.datetime = NOW, **fields: Any
) -> list[ChatIdentity]:
    """Store one identity per chat id (built by ``ChatIdentityFactory``); returns them."""
    identities = [
        ChatIdentityFactory.build(chat_id=chat, created_at=now, last_seen_at=now, **fields)
        for chat in chat_ids
    ]
    async with db.session() as session, write_transaction(session):
        session.add_all(identities)
        await session.flush()
    return identities
