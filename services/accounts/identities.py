"""Chat identities: who is talking, in which language, with which role."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.enums import Role
from storage.models import ChatIdentity, Resident

SUPPORTED_LOCALES = ("zh_CN", "en")
# Writing last_seen on every update would turn every read into a write.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=5)


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
) -> ChatIdentity:
    """Return the chat's identity, creating it on first contact and noting when it was seen.

    ``client_locale`` (the language of the person's app) is remembered, so that what the bot
    sends on its own speaks their language even before they choose one.
    """
    identity = await find_identity(session, channel=channel, chat_id=chat_id)
    fresh = identity is not None and now - identity.last_seen_at < LAST_SEEN_RESOLUTION
    known = identity is not None and (
        client_locale is None or identity.client_locale == client_locale
    )
    if identity is not None and fresh and known:
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
        else:
            identity.last_seen_at = now
            identity.blocked = False
            if client_locale is not None:
                identity.client_locale = client_locale
        await session.flush()
    return identity


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
    stmt = select(Resident).where(col(Resident.identity_id) == identity_id)
    resident = (await session.execute(stmt)).scalar_one_or_none()
    if resident is not None:
        return resident
    async with write_transaction(session):
        resident = (await session.execute(stmt)).scalar_one_or_none()
        if resident is None:
            resident = Resident(identity_id=identity_id, created_at=now)
            session.add(resident)
            await session.flush()
    return resident


async def find_resident(session: AsyncSession, *, identity_id: int) -> Resident | None:
    """The resident behind a chat identity, or None if it never reported anything."""
    stmt = select(Resident).where(col(Resident.identity_id) == identity_id)
    return (await session.execute(stmt)).scalar_one_or_none()
