"""Members' liaison activities, their history, and per-quarter tallies for fast reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Activity(SQLModel, table=True):
    """One liaison activity a member logged; ``occurred_on`` is the committee's calendar date."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_member_date", "member_id", "occurred_on"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    kind: str = Field(max_length=40)
    occurred_on: dt.date
    sector_id: int = Field(foreign_key="sector.id")
    people_count: int
    place: str = Field(default="", max_length=100)
    station_id: int | None = Field(default=None, foreign_key="station.id")
    summary: str = Field(sa_column=Column(Text, nullable=False))
    channel: str = Field(default="telegram", max_length=20)
    source: str = Field(default="member", max_length=20)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    deleted_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class ActivityPhoto(SQLModel, table=True):
    """A photo of an activity."""

    __tablename__ = "activity_photo"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="CASCADE")
    position: int = 0
    channel: str = Field(max_length=20)
    file_id: str = Field(max_length=255)
    file_unique_id: str = Field(default="", max_length=100)


class ActivityPairedPerson(SQLModel, table=True):
    """A paired person the activity reached."""

    __tablename__ = "activity_paired_person"
    # "When was each paired person last reached" looks links up by person.
    __table_args__ = (Index("ix_activity_paired_person_person", "paired_person_id", "activity_id"),)

    activity_id: int = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    paired_person_id: int = Field(
        foreign_key="paired_person.id", primary_key=True, ondelete="CASCADE"
    )


class ActivityRevision(SQLModel, table=True):
    """Every change of an activity: who did what when, and the entry as it was after."""

    __tablename__ = "activity_revision"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="CASCADE")
    at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    action: str = Field(max_length=20)
    snapshot: str = Field(sa_column=Column(Text, nullable=False))


class ActivityTally(SQLModel, table=True):
    """One member's counts for one quarter under the rules with ``fingerprint``.

    Derived from ``activity``, rewritten in the same transaction as every change to it, so
    a roster-wide report reads one small row per member and quarter. ``six_1`` to ``six_6``
    count activities fulfilling each of the year's "six ones", in the rules' order.
    """

    __tablename__ = "activity_tally"
    __table_args__ = (Index("ix_activity_tally_year_fingerprint", "year", "fingerprint"),)

    member_id: int = Field(foreign_key="member.id", primary_key=True, ondelete="CASCADE")
    year: int = Field(primary_key=True)
    quarter: int = Field(primary_key=True)
    fingerprint: str = Field(max_length=16)
    activities: int = 0
    qualifying: int = 0
    person_times: int = 0
    six_1: int = 0
    six_2: int = 0
    six_3: int = 0
    six_4: int = 0
    six_5: int = 0
    six_6: int = 0
