"""Residents' issues (社情民意), their timeline and their photos."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Issue(SQLModel, table=True):
    """A case: what a resident reported, where, and where it stands."""

    __tablename__ = "issue"
    __table_args__ = (
        Index("ix_issue_resident_created", "resident_id", "created_at"),
        Index("ix_issue_status_created", "status", "created_at"),
        Index("ix_issue_station_created", "station_id", "created_at"),
        Index("ix_issue_station_status_created", "station_id", "status", "created_at"),
        Index("ix_issue_assignee_member_status", "assignee_member_id", "status"),
        Index("ix_issue_assignee_department_status", "assignee_department_id", "status"),
        Index("ix_issue_duplicate_of", "duplicate_of_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    draft_token: str | None = Field(default=None, max_length=40, unique=True)
    resident_id: int | None = Field(default=None, foreign_key="resident.id", ondelete="SET NULL")
    station_id: int = Field(foreign_key="station.id")
    category_id: int = Field(foreign_key="issue_category.id")
    description: str = Field(sa_column=Column(Text, nullable=False))
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = True
    contact_phone: str | None = Field(default=None, max_length=32)
    contact_consent_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    status: str = Field(default="new", max_length=20)
    channel: str = Field(default="telegram", max_length=20)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    due_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    assignee_member_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL"
    )
    assigned_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    assignee_department_id: int | None = Field(
        default=None, foreign_key="department.id", ondelete="SET NULL"
    )
    duplicate_of_id: int | None = Field(default=None, foreign_key="issue.id", ondelete="SET NULL")
    answered_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    last_reply_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    resolved_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    solved: bool | None = None
    rated_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    rating: int | None = None


class IssueEvent(SQLModel, table=True):
    """One line of a case's timeline; ``public`` lines are shown to the resident."""

    __tablename__ = "issue_event"
    __table_args__ = (Index("ix_issue_event_issue_created", "issue_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", ondelete="CASCADE")
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    kind: str = Field(max_length=20)
    actor: str = Field(default="system", max_length=20)
    actor_id: int | None = None
    actor_name: str | None = Field(default=None, max_length=160)
    public: bool = True
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Attachment(SQLModel, table=True):
    """A photo attached to a case; ``file_id`` is the channel's own handle for it."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True, ondelete="CASCADE")
    position: int = 0
    kind: str = Field(default="photo", max_length=20)
    channel: str = Field(max_length=20)
    file_id: str = Field(max_length=255)
    file_unique_id: str = Field(default="", max_length=100)
    mime_type: str | None = Field(default=None, max_length=60)
    file_size: int | None = None
    width: int | None = None
    height: int | None = None


class IssueCounter(SQLModel, table=True):
    """The last case number handed out in a year; case numbers read ``2026-000123``."""

    __tablename__ = "issue_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class IssueSearch(SQLModel, table=True):
    """A case's description as search terms: jieba's words, lower-cased, joined by spaces.

    Kept beside the case (one row each) and rewritten whenever the description changes, so
    the same ``LIKE`` query finds Chinese words on SQLite and PostgreSQL alike.
    """

    __tablename__ = "issue_search"

    issue_id: int = Field(
        primary_key=True,
        foreign_key="issue.id",
        ondelete="CASCADE",
        sa_column_kwargs={"autoincrement": False},
    )
    terms: str = Field(sa_column=Column(Text, nullable=False))
