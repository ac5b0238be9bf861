"""Work at the liaison stations: open sessions (恳谈会) and the members' duty rota (轮流值班).

An open session belongs to one station and is announced in advance to the residents
subscribed to it; anyone may come, nobody signs up. Residents may send a question beforehand
(``SessionQuestion``); staff write down what was raised (``SessionPoint``), and a point may
become a case (``issue_id``). ``version`` grows with every change residents are told about,
so each announcement has its own dedupe key.

A duty turn is one member's shift at one station on one local day, stored as UTC times;
checking in during the turn logs a ``station-duty`` activity (``activity_id``). A turn whose
end has passed without a check-in is missed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class StationSession(SQLModel, table=True):
    """An open session at a station: when, where, about what."""

    __tablename__ = "station_session"
    __table_args__ = (Index("ix_station_session_station_starts", "station_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", ondelete="CASCADE")
    title: str = Field(max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The category a point raised at the session is filed under unless staff choose another.
    category_id: int | None = Field(
        default=None, foreign_key="issue_category.id", ondelete="SET NULL"
    )
    venue: str = Field(default="", max_length=120)
    starts_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    version: int = 1
    announced_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    cancelled_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    created_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class SessionQuestion(SQLModel, table=True):
    """A question a resident sent before the session."""

    __tablename__ = "session_question"
    __table_args__ = (Index("ix_session_question_session", "session_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="station_session.id", ondelete="CASCADE")
    resident_id: int = Field(foreign_key="resident.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class SessionPoint(SQLModel, table=True):
    """A problem raised at the session, as staff wrote it down; ``issue_id`` once it is a case."""

    __tablename__ = "session_point"
    __table_args__ = (Index("ix_session_point_session", "session_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="station_session.id", ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    issue_id: int | None = Field(default=None, foreign_key="issue.id", ondelete="SET NULL")
    created_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class DutyTurn(SQLModel, table=True):
    """One member's duty shift at a station; ``day`` is the local date of ``starts_at``."""

    __tablename__ = "duty_turn"
    __table_args__ = (
        Index("ix_duty_turn_station_day", "station_id", "day"),
        Index("ix_duty_turn_member_starts", "member_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    day: dt.date
    starts_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    checked_in_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    activity_id: int | None = Field(default=None, foreign_key="activity.id", ondelete="SET NULL")
    created_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class StationDutyCode(SQLModel, table=True):
    """The secret in a station's posted duty QR code: scanning it is being at the station."""

    __tablename__ = "station_duty_code"

    station_id: int = Field(foreign_key="station.id", primary_key=True, ondelete="CASCADE")
    token: str = Field(max_length=32, unique=True)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
