"""Plumbing tables: processed updates and dialog state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class ProcessedUpdate(SQLModel, table=True):
    """An update id seen once per bot; a replay finds its row and is ignored."""

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
