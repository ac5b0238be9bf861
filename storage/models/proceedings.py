"""A consultation meeting in session: booked speeches, remote remarks, the steps, the outcome.

Members invited to the meeting and its guests book speeches (预约发言) taken in order, each
with a time limit; during the meeting's window they may write remarks from afar (网络议政).
Staff record the steps opinions → discussion → revision → confirmation, each with a note,
and at confirmation the confirmed suggestions, which form the outcome in one step.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class SpeechState(StrEnum):
    """Where a booked speech stands."""

    BOOKED = "booked"
    CALLED = "called"
    SPOKEN = "spoken"
    WITHDRAWN = "withdrawn"


class MeetingProceedings(SQLModel, table=True):
    """A meeting's settings for its proceedings and the outcome formed from it, once."""

    __tablename__ = "meeting_proceedings"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    speech_minutes: int = 5
    # A window for remote remarks other than the meeting's own times, when staff set one.
    remote_opens_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    remote_closes_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    outcome_id: int | None = Field(
        default=None, foreign_key="outcome.id", unique=True, ondelete="SET NULL"
    )


class SpeechBooking(SQLModel, table=True):
    """A speech booked by a member or a guest; ``state`` is a :class:`SpeechState`."""

    __tablename__ = "speech_booking"
    __table_args__ = (Index("ix_speech_booking_order", "meeting_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="CASCADE")
    guest_id: int | None = Field(default=None, foreign_key="meeting_guest.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    position: int
    minutes: int
    state: str = Field(default=SpeechState.BOOKED, max_length=12)
    booked_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    called_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    spoken_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    withdrawn_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class RemoteRemark(SQLModel, table=True):
    """A remark written from afar during the meeting's window, by a member or a guest."""

    __tablename__ = "remote_remark"
    __table_args__ = (Index("ix_remote_remark_meeting", "meeting_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="CASCADE")
    guest_id: int | None = Field(default=None, foreign_key="meeting_guest.id", ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class MeetingStep(SQLModel, table=True):
    """One step of the meeting recorded by staff; ``step`` is a ConsultationStep."""

    __tablename__ = "meeting_step"
    __table_args__ = (UniqueConstraint("meeting_id", "step", name="uq_meeting_step_step"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", ondelete="CASCADE")
    step: str = Field(max_length=20)
    started_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    staff_id: int | None = Field(default=None, foreign_key="staff.id", ondelete="SET NULL")


class ConfirmedSuggestion(SQLModel, table=True):
    """A suggestion confirmed at the confirmation step, numbered from 1."""

    __tablename__ = "confirmed_suggestion"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))


class OutcomeGuest(SQLModel, table=True):
    """A guest of the consultation who took part in the outcome formed from it."""

    __tablename__ = "outcome_guest"

    outcome_id: int = Field(foreign_key="outcome.id", primary_key=True, ondelete="CASCADE")
    meeting_guest_id: int = Field(
        foreign_key="meeting_guest.id", primary_key=True, index=True, ondelete="CASCADE"
    )
