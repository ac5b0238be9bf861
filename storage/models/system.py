"""Plumbing tables: the update inbox, processed updates and dialog state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class InboxUpdate(SQLModel, table=True):
    """A raw update as it arrived, stored before it was acknowledged, then handled from here.

    ``owner`` is the worker that stored it: of several workers, that one handles it. ``state``
    is ``received`` until the dispatcher has had it, then ``handled`` (or ``failed`` when the
    dispatcher itself raised); its payload is emptied then, and the row is kept a day, then
    pruned.
    """

    __tablename__ = "update_inbox"
    __table_args__ = (Index("ix_update_inbox_waiting", "bot_id", "state", "update_id"),)

    bot_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="received", max_length=20)
    received_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    handled_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True, index=True)
    )
    # The worker that stored it handles it; another adopts it only once that one is gone.
    owner: str | None = Field(default=None, max_length=64)


class ProcessedUpdate(SQLModel, table=True):
    """An update id whose handling is over, once per bot; a replay finds its row and is ignored."""

    __tablename__ = "processed_update"

    bot_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class FsmRecord(SQLModel, table=True):
    """Dialog state and data of one chat, so a restart never drops a half-written report."""

    __tablename__ = "fsm_record"

    key: str = Field(primary_key=True, max_length=200)
    state: str | None = Field(default=None, max_length=200)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
