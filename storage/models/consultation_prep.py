"""Preparing a consultation: its materials, its research tasks (开题) and the draft report.

A meeting hands out several materials, in ``position`` order; the first of an older meeting
is its former single ``meeting.materials_file``. Research tasks say who studies what by when:
a member, a guest of the meeting, or a name typed by staff. The draft report goes round the
meeting's invited members and guests, who comment on it until ``comments_until``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class MeetingMaterial(SQLModel, table=True):
    """One file handed out for a meeting."""

    __tablename__ = "meeting_material"
    __table_args__ = (Index("ix_meeting_material_meeting", "meeting_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", ondelete="CASCADE")
    file_key: str = Field(foreign_key="stored_file.key", max_length=80)
    name: str = Field(max_length=120)
    position: int = 0
    added_by_staff_id: int | None = Field(default=None, foreign_key="staff.id", ondelete="SET NULL")
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ResearchTask(SQLModel, table=True):
    """Who researches what for a meeting, due when; one of the three assignee fields is set."""

    __tablename__ = "research_task"
    __table_args__ = (Index("ix_research_task_meeting", "meeting_id", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", ondelete="CASCADE")
    member_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL", index=True
    )
    guest_id: int | None = Field(default=None, foreign_key="meeting_guest.id", ondelete="SET NULL")
    assignee_text: str = Field(default="", max_length=80)
    what: str = Field(sa_column=Column(Text, nullable=False))
    due_on: dt.date = Field(sa_column=Column(Date, nullable=False))
    done_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    created_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class DraftReport(SQLModel, table=True):
    """A meeting's draft report: a text or a document; ``sent_at`` once it went round."""

    __tablename__ = "draft_report"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", ondelete="CASCADE", unique=True)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    file_key: str | None = Field(default=None, foreign_key="stored_file.key", max_length=80)
    file_name: str | None = Field(default=None, max_length=120)
    comments_until: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    created_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class DraftComment(SQLModel, table=True):
    """One comment on a draft report, by an invited member or a guest of the meeting."""

    __tablename__ = "draft_comment"
    __table_args__ = (Index("ix_draft_comment_draft", "draft_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft_report.id", ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    guest_id: int | None = Field(default=None, foreign_key="meeting_guest.id", ondelete="SET NULL")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
