"""Meetings (协商会 and the rest), who is invited, what they answered, who came."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Meeting(SQLModel, table=True):
    """A meeting members are invited to; times in UTC, shown in the committee's zone."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_starts", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    starts_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    venue: str = Field(max_length=200)
    agenda: str = Field(default="", sa_column=Column(Text, nullable=False))
    audience: str = Field(default="", max_length=400)
    materials_file: str | None = Field(default=None, max_length=80)
    materials_name: str | None = Field(default=None, max_length=120)
    checkin_code: str = Field(max_length=6)
    checkin_token: str = Field(max_length=24, unique=True)
    created_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    cancelled_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    closed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # Raised by each edit and by the cancellation: the calendar's SEQUENCE, the cards' version.
    sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Raised each time the start moves: the reminders of a moved meeting are new reminders.
    rescheduled: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class MeetingInvitee(SQLModel, table=True):
    """One member's invitation: the answer, a leave request, the check-in, the attendance."""

    __tablename__ = "meeting_invitee"
    __table_args__ = (Index("ix_meeting_invitee_member", "member_id", "meeting_id"),)

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", primary_key=True, ondelete="CASCADE")
    response: str = Field(default="pending", max_length=20)
    responded_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    leave_reason: str | None = Field(default=None, max_length=500)
    leave_decided_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    checked_in_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    checkin_failures: int = 0
    attendance: str | None = Field(default=None, max_length=20)
