"""Broadcasts staff send to an audience, and residents' opt-in to a station's notices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Broadcast(SQLModel, table=True):
    """A notice to an audience; its messages are outbox rows carrying its id.

    ``progress_*`` name the staff member's message that shows how sending goes.
    """

    __tablename__ = "broadcast"
    __table_args__ = (Index("ix_broadcast_state", "state", "send_at"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", ondelete="SET NULL")
    audience_kind: str = Field(max_length=20)
    audience_value: str = Field(default="", max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    photo: str | None = Field(default=None, max_length=80)
    document: str | None = Field(default=None, max_length=80)
    state: str = Field(default="sending", max_length=20)
    recipients: int = 0
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    send_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    finished_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    cancelled_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    progress_identity_id: int | None = Field(
        default=None, foreign_key="chat_identity.id", ondelete="SET NULL"
    )
    progress_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    progress_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class StationSubscription(SQLModel, table=True):
    """A resident who opted in to a station's notices."""

    __tablename__ = "station_subscription"

    resident_id: int = Field(foreign_key="resident.id", primary_key=True, ondelete="CASCADE")
    station_id: int = Field(
        foreign_key="station.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
