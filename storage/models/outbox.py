"""The outbox: every push the bot makes on its own, written with the change that causes it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class OutboxMessage(SQLModel, table=True):
    """One message to one chat; ``dedupe_key`` makes planning it twice a no-op.

    ``payload`` is the rendered message as JSON: text (Telegram HTML), inline buttons, and
    optionally a stored file sent as a photo or a document.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_due", "state", "due_at"),
        Index("ix_outbox_identity", "identity_id"),
        Index("ix_outbox_broadcast_state", "broadcast_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identity_id: int = Field(foreign_key="chat_identity.id", ondelete="CASCADE")
    channel: str = Field(max_length=20)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(default="", max_length=40)
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id", ondelete="CASCADE")
    payload: str = Field(sa_column=Column(Text, nullable=False))
    dedupe_key: str = Field(max_length=200, unique=True)
    priority: int = 1
    urgent: bool = False
    due_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    state: str = Field(default="pending", max_length=20)
    attempts: int = 0
    locked_until: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The sender holding a "sending" row: only it renews the lease or writes a retry back.
    locked_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, max_length=500)
    sent_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
