"""Staff (政协机关工作人员): the people who run the platform, and their chats."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Staff(SQLModel, table=True):
    """A staff member; ``role`` is ``admin`` (everything) or ``station`` (their stations)."""

    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    role: str = Field(default="admin", max_length=20)
    active: bool = True
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class StaffStation(SQLModel, table=True):
    """A station whose cases and residents a station staff member looks after."""

    __tablename__ = "staff_station"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True, ondelete="CASCADE")
    station_id: int = Field(foreign_key="station.id", primary_key=True, ondelete="CASCADE")


class StaffBinding(SQLModel, table=True):
    """A chat of a staff member; a chat belongs to one staff member."""

    __tablename__ = "staff_binding"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=20)
    identity_id: int = Field(foreign_key="chat_identity.id", unique=True, ondelete="CASCADE")
    bound_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
