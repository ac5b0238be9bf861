"""Consultation topics (协商议题): what the committee may consult on, and where each came from.

A topic is suggested by a resident at a station, by a member, by staff from a hotspot of
residents' cases and hotline records, or entered from a proposal, a social-conditions report,
a plenary speech or a government request (``source``). ``TopicLink`` ties it to what it came
from (cases, hotline records, a hotspot, a proposal ...). Staff shortlist topics and put them
in the year's plan; a long-running topic (长线协商) is carried over to the next year as a new
row pointing at the one it continues (``continues_topic_id``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Topic(SQLModel, table=True):
    """One topic of one year; ``state`` is a :class:`storage.enums.TopicState`."""

    __tablename__ = "topic"
    __table_args__ = (
        Index("ix_topic_year_state", "year", "state"),
        Index("ix_topic_station", "station_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    source: str = Field(max_length=30)
    state: str = Field(default="suggested", max_length=20)
    # Who proposed it: an ActorKind and that row's id (resident, member, staff, department).
    proposer_kind: str = Field(max_length=20)
    proposer_id: int | None = None
    station_id: int | None = Field(default=None, foreign_key="station.id", ondelete="SET NULL")
    long_running: bool = False
    continues_topic_id: int | None = Field(
        default=None, foreign_key="topic.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class TopicLink(SQLModel, table=True):
    """What a topic came from or led to; ``kind`` is a :class:`storage.enums.TopicLinkKind`."""

    __tablename__ = "topic_link"
    __table_args__ = (Index("ix_topic_link_ref", "kind", "ref_id"),)

    topic_id: int = Field(foreign_key="topic.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(max_length=20, primary_key=True)
    ref_id: int = Field(primary_key=True)
