"""The 12345 hotline's records and the monthly hotspots found in them and in residents' cases.

A hotline record is one ticket of the city's citizen hotline, imported from its export by the
hotline's own ticket id (so a second import of the same file adds nothing). Each month a
hotspot run groups the month's cases and hotline records about the same problem in the same
area; a hotspot keeps its size, last month's size, where it is, its top words and a few
example texts (phone numbers already cut out), and its members point back at every case and
record it holds.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class HotlineRecord(SQLModel, table=True):
    """One 12345 ticket; ``category_id`` is set when its category maps to one of ours."""

    __tablename__ = "hotline_record"
    __table_args__ = (Index("ix_hotline_record_received", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: str = Field(max_length=64, unique=True)
    received_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    category_text: str = Field(default="", max_length=80)
    category_id: int | None = Field(
        default=None, foreign_key="issue_category.id", ondelete="SET NULL"
    )
    district: str = Field(default="", max_length=80)
    address: str = Field(default="", max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    batch: str = Field(default="", max_length=200)
    imported_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class HotspotRun(SQLModel, table=True):
    """The hotspot run of one month (``YYYY-MM``): when it ran, what it read, how."""

    __tablename__ = "hotspot_run"

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, unique=True)
    ran_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    cases: int = 0
    hotline_records: int = 0
    hotspots: int = 0
    # The grouping's parameters as JSON, so a month's figures can be reproduced.
    parameters: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class Hotspot(SQLModel, table=True):
    """One group of reports about the same problem in the same area, in one month's run."""

    __tablename__ = "hotspot"
    __table_args__ = (Index("ix_hotspot_run_rank", "run_id", "rank"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="hotspot_run.id", ondelete="CASCADE")
    rank: int
    size: int
    cases: int = 0
    size_last_month: int = 0
    category_id: int | None = Field(
        default=None, foreign_key="issue_category.id", ondelete="SET NULL"
    )
    # The area the group was found in: a district code, or the hotline's district text.
    area: str = Field(default="", max_length=80)
    station_id: int | None = Field(default=None, foreign_key="station.id", ondelete="SET NULL")
    place: str = Field(default="", max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    top_words: str = Field(default="", max_length=200)
    # Three example texts as a JSON list, phone numbers cut out.
    examples: str = Field(default="[]", sa_column=Column(Text, nullable=False))


class HotspotMember(SQLModel, table=True):
    """A case (``kind`` "issue") or hotline record (``kind`` "hotline") in a hotspot."""

    __tablename__ = "hotspot_member"
    __table_args__ = (Index("ix_hotspot_member_ref", "kind", "ref_id"),)

    hotspot_id: int = Field(foreign_key="hotspot.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(max_length=20, primary_key=True)
    ref_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
