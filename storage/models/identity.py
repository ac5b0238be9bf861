"""Who is talking to the bot: one row per chat per channel, and residents."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class ChatIdentity(SQLModel, table=True):
    """A chat on one channel: its language, its role and whether it blocked us."""

    __tablename__ = "chat_identity"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_chat_identity_channel_chat"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_type: str = Field(default="private", max_length=20)
    locale: str | None = Field(default=None, max_length=10)
    client_locale: str | None = Field(default=None, max_length=10)
    role: str = Field(default="resident", max_length=20)
    blocked: bool = False
    group_notice_sent: bool = False
    invite_locked_until: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_seen_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Resident(SQLModel, table=True):
    """A person who reports issues; personal data lives on the cases, with consent."""

    __tablename__ = "resident"

    id: int | None = Field(default=None, primary_key=True)
    identity_id: int | None = Field(
        default=None, foreign_key="chat_identity.id", unique=True, ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
