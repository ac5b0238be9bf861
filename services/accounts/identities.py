"""Chat identities: who is talking, in which language, with which role."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.sql.dml import Delete, Update
from sqlmodel import col

from services.accounts.identity_batches import IdentityBatches
from storage.db import write_transaction
from storage.enums import Role
from storage.models import ChatIdentity, Resident

SUPPORTED_LOCALES = ("zh_CN", "en")
# Writing last_seen on every update would turn every read into a write.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=5)
# A change made by another process (a CLI command) shows within this time; changes made by
# this process show at once.
IDENTITY_MAX_AGE = dt.timedelta(seconds=60)
CACHED_IDENTITIES = 20_000
# Marks the last-seen write of one identity, which invalidates that identity only.
TOUCH_OPTION = "liaison_identity_touch"
_PENDING = "liaison_identity_invalidated"

IdentityKey = tuple[str, int]
_IDENTITY_CLASS = manager_of_class(ChatIdentity)
_COLUMNS = tuple(column.key for column in ChatIdentity.__table__.columns)  # type: ignore[attr-defined]


class IdentityCache:
    """The identities of recently active chats by (channel, chat id), read once per step.

    Every update reads the identity of its chat; this copy saves that query. It is kept exact
    within the process by watching the engine: a write to ``chat_identity`` other than a chat's
    own last-seen note empties the cache, when the statement runs and again when its
    transaction ends (a concurrent reader may have put the old row back in between). Entries
    older than :data:`IDENTITY_MAX_AGE` are read again, for changes made by other processes.
    Callers get a detached copy of their own, never an object another session holds.
    """

    def __init__(
        self, *, max_age: dt.timedelta = IDENTITY_MAX_AGE, size: int = CACHED_IDENTITIES
    ) -> None:
        self.max_age = max_age
        self.size = size
        self._entries: OrderedDict[IdentityKey, tuple[dict[str, Any], dt.datetime]] = OrderedDict()

    def watch(self, engine: AsyncEngine) -> None:
        """Invalidate on the writes to identities that go through ``engine``."""
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "before_execute", self._before_execute)
        event.listen(sync_engine, "commit", self._after_transaction)
        event.listen(sync_engine, "rollback", self._after_transaction)

    def get(self, key: IdentityKey, now: dt.datetime) -> ChatIdentity | None:
        """A copy of the cached identity of a chat, or None when unknown or too old."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        values, stored_at = entry
        if not dt.timedelta(0) <= now - stored_at < self.max_age:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        # Built as the ORM's loader builds a row's object: the validating constructor would
        # cost several times more, on every update.
        identity = _IDENTITY_CLASS.new_instance()
        identity.__dict__.update(values)
        make_transient_to_detached(identity)
        return identity

    def chosen_locale(self, key: IdentityKey, now: dt.datetime) -> str | None:
        """The language a recently seen chat chose, without building its identity.

        None when the chat chose none or is not cached (fresh) here; the entry is left as it
        is, for the next full read to judge.
        """
        entry = self._entries.get(key)
        if entry is None or not dt.timedelta(0) <= now - entry[1] < self.max_age:
            return None
        locale = entry[0].get("locale")
        return locale if locale in SUPPORTED_LOCALES else None

    def put(self, identity: ChatIdentity, now: dt.datetime) -> None:
        """Remember a committed identity."""
        key = (identity.channel, identity.chat_id)
        self._entries[key] = ({name: getattr(identity, name) for name in _COLUMNS}, now)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every identity."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _before_execute(
        self, conn: Connection, clauseelement: Any, *_args: Any, **_kwargs: Any
    ) -> None:
        if not isinstance(clauseelement, Update | Delete):
            return
        if getattr(clauseelement.table, "name", None) != ChatIdentity.__tablename__:
            return
        touched = clauseelement.get_execution_options().get(TOUCH_OPTION)
        pending: set[IdentityKey] | None = conn.info.setdefault(_PENDING, set())
        if touched is not None and pending is not None:
            self._entries.pop(touched, None)
            pending.add(touched)
        else:
            self._entries.clear()
            conn.info[_PENDING] = None

    def _after_transaction(self, conn: Connection) -> None:
        if _PENDING not in conn.info:
            return
        pending = conn.info.pop(_PENDING)
        if pending is None:
            self._entries.clear()
            return
        for key in pending:
            self._entries.pop(key, None)


def locale_from_language_code(code: str | None) -> str | None:
    """Map a Telegram ``language_code`` to a supported locale; None when there is no match.

    Every Chinese variant (``zh``, ``zh-hans``, ``zh-cn``, ``zh-hant`` ...) reads zh_CN.
    """
    if not code:
        return None
    primary = code.lower().replace("_", "-").split("-")[0]
    if primary == "zh":
        return "zh_CN"
    if primary == "en":
        return "en"
    return None


def effective_locale(identity: ChatIdentity | None, language_code: str | None, default: str) -> str:
    """The locale to answer in: the chat's own choice, else its client language, else default."""
    if identity is not None and identity.locale in SUPPORTED_LOCALES:
        return identity.locale
    return locale_from_language_code(language_code) or default


async def find_identity(
    session: AsyncSession, *, channel: str, chat_id: int
) -> ChatIdentity | None:
    """The identity of a chat, or None if it never wrote."""
    stmt = select(ChatIdentity).where(
        col(ChatIdentity.channel) == channel, col(ChatIdentity.chat_id) == chat_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def touch_identity(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: int,
    chat_type: str,
    now: dt.datetime,
    client_locale: str | None = None,
    cache: IdentityCache | None = None,
    batches: IdentityBatches | None = None,
) -> ChatIdentity:
    """Return the chat's identity, creating it on first contact and noting when it was seen.

    ``client_locale`` (the language of the person's app) is remembered, so that what the bot
    sends on its own speaks their language even before they choose one. With a ``cache``,
    a chat seen lately costs no query at all, and its last-seen time is written at most once
    per :data:`LAST_SEEN_RESOLUTION`. With ``batches``, an identity not in the cache is read,
    or made, together with those of the other chats asking at that moment.
    """
    key = (channel, chat_id)
    identity = cache.get(key, now) if cache is not None else None
    if identity is None and batches is not None:
        identity = await batches.load(
            channel=channel,
            chat_id=chat_id,
            chat_type=chat_type,
            client_locale=client_locale,
            now=now,
        )
    if identity is None:
        identity = await find_identity(session, channel=channel, chat_id=chat_id)
    if identity is not None and _current(identity, now, client_locale):
        if cache is not None:
            cache.put(identity, now)
        return identity
    async with write_transaction(session):
        identity = await find_identity(session, channel=channel, chat_id=chat_id)
        if identity is None:
            identity = ChatIdentity(
                channel=channel,
                chat_id=chat_id,
                chat_type=chat_type,
                role=Role.RESIDENT,
                client_locale=client_locale,
                created_at=now,
                last_seen_at=now,
            )
            session.add(identity)
            await session.flush()
        else:
            seen: dict[str, Any] = {"last_seen_at": now, "blocked": False}
            if client_locale is not None:
                seen["client_locale"] = client_locale
            await session.execute(
                update(ChatIdentity)
                .where(col(ChatIdentity.id) == identity.id)
                .values(**seen)
                .execution_options(**{TOUCH_OPTION: key})
            )
            for name, value in seen.items():
                set_committed_value(identity, name, value)
    if cache is not None:
        cache.put(identity, now)
    return identity


def _current(identity: ChatIdentity, now: dt.datetime, client_locale: str | None) -> bool:
    """Whether the stored identity needs no write: seen lately, in the same app language."""
    fresh = now - identity.last_seen_at < LAST_SEEN_RESOLUTION
    known = client_locale is None or identity.client_locale == client_locale
    return fresh and known


async def set_locale(session: AsyncSession, *, identity_id: int, locale: str) -> None:
    """Remember the language a chat chose."""
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale}")
    async with write_transaction(session):
        await session.execute(
            update(ChatIdentity).where(col(ChatIdentity.id) == identity_id).values(locale=locale)
        )


async def claim_group_notice(session: AsyncSession, *, identity_id: int) -> bool:
    """Mark that a group was told the bot works only in private; True the first time only."""
    async with write_transaction(session):
        result = await session.execute(
            update(ChatIdentity)
            .where(
                col(ChatIdentity.id) == identity_id, col(ChatIdentity.group_notice_sent).is_(False)
            )
            .values(group_notice_sent=True)
        )
    return bool(getattr(result, "rowcount", 0))


async def get_or_create_resident(
    session: AsyncSession, *, identity_id: int, now: dt.datetime
) -> Resident:
    """The resident behind a chat identity, created on first need."""
    resident = await find_resident(session, identity_id=identity_id)
    if resident is not None:
        return resident
    async with write_transaction(session):
        return await ensure_resident(session, identity_id=identity_id, now=now)


async def ensure_resident(session: AsyncSession, *, identity_id: int, now: dt.datetime) -> Resident:
    """The resident behind a chat identity, made in the caller's open write transaction."""
    resident = await find_resident(session, identity_id=identity_id)
    if resident is None:
        resident = Resident(identity_id=identity_id, created_at=now)
        session.add(resident)
        await session.flush()
    return resident


async def find_resident(session: AsyncSession, *, identity_id: int) -> Resident | None:
    """The resident behind a chat identity, or None if it never reported anything."""
    stmt = select(Resident).where(col(Resident.identity_id) == identity_id)
    return (await session.execute(stmt)).scalar_one_or_none()
