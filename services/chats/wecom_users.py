"""WeCom people as chats: what a userid looks like, its chat id (made once), and back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.errors import DomainError
from storage.db import write_transaction
from storage.models import ChannelUser
from storage.queries import insert_ignore, table_of

WECOM = "wecom"
MAX_USERID = 64


def clean_userid(userid: str) -> str:
    """A userid as WeCom writes it: 1 to 64 letters, digits and ``_-.@``; DomainError if not."""
    value = userid.strip()
    if (
        not value
        or len(value) > MAX_USERID
        or any(not (char.isascii() and (char.isalnum() or char in "_-.@")) for char in value)
    ):
        raise DomainError("wecom_userid_invalid")
    return value


async def wecom_chat_id(session: AsyncSession, *, userid: str, now: dt.datetime) -> int:
    """The chat id of a WeCom userid, made on first sight; safe when two callbacks race."""
    found = await _chat_id(session, userid)
    if found is not None:
        return found
    async with write_transaction(session):
        values = {"channel": WECOM, "external_id": userid, "created_at": now}
        await insert_ignore(session, table_of(ChannelUser), values, ["channel", "external_id"])
        made = await _chat_id(session, userid)
    assert made is not None
    return made


async def wecom_userid(session: AsyncSession, *, chat_id: int) -> str | None:
    """The WeCom userid behind a chat id, or None if the chat is not a WeCom one."""
    return (
        await session.execute(
            select(col(ChannelUser.external_id)).where(
                col(ChannelUser.id) == chat_id, col(ChannelUser.channel) == WECOM
            )
        )
    ).scalar_one_or_none()


async def _chat_id(session: AsyncSession, userid: str) -> int | None:
    return (
        await session.execute(
            select(col(ChannelUser.id)).where(
                col(ChannelUser.channel) == WECOM, col(ChannelUser.external_id) == userid
            )
        )
    ).scalar_one_or_none()
