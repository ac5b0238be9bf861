"""What the web chat keeps for its chats: the files on its disk and each chat's history.

Both are found by the chat id, so erasing a resident and the periodic cleanup work from the
database alone, whatever a running process remembers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class WebChatFile(SQLModel, table=True):
    """One chat's claim on a file on the web chat's disk.

    The bytes are stored once by content (``file_id``); each chat that uploaded them or was
    sent them holds a row, and the bytes go when no row and no case or activity photo refers
    to them any more. ``kind`` is ``upload`` (from the browser), ``export`` (a /mydata file,
    with ``expires_at``) or ``outgoing`` (any other file the bot made for the chat).
    ``attached`` is set once an upload is a photo of a case or an activity: it is kept then.
    """

    __tablename__ = "webchat_file"
    __table_args__ = (
        Index("ix_webchat_file_chat", "chat_id"),
        Index("ix_webchat_file_file", "file_id"),
        Index("ix_webchat_file_client", "client_address", "kind"),
        Index("ix_webchat_file_expiry", "expires_at"),
        Index("ix_webchat_file_pending", "kind", "attached", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    file_id: str = Field(max_length=48)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=16)
    name: str = Field(max_length=120)
    mime_type: str = Field(max_length=100)
    size: int = 0
    client_address: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    attached: bool = False


class WebChatHistoryEntry(SQLModel, table=True):
    """One message a web chat page shows (the bot's or the person's), as the frame it draws."""

    __tablename__ = "webchat_history"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id", name="uq_webchat_history_chat_message"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    frame: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
