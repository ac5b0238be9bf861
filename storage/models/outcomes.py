"""Consultation outcomes (协商成果): where each came from, who took part, whose cases fed it.

An outcome is formed from a consultation meeting, a research report or an accepted
social-conditions report (``source`` and the matching id). ``consultation`` is the kind of
consultation, which decides where its suggestions are submitted. ``topic`` names a
long-running topic (长线协商) whose outcomes are followed across years. ``key`` marks the
outcomes that get a quality evaluation. Its suggestions are in :mod:`storage.models.handling`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Outcome(SQLModel, table=True):
    """A consultation outcome, numbered like ``2026-C-0007``."""

    __tablename__ = "outcome"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_outcome_year_number"),
        Index("ix_outcome_topic", "topic", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    number: str = Field(max_length=20)
    title: str = Field(max_length=200)
    source: str = Field(max_length=12)
    consultation: str = Field(max_length=40)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", ondelete="SET NULL")
    report_id: int | None = Field(
        default=None, foreign_key="conditions_report.id", ondelete="SET NULL"
    )
    topic: str | None = Field(default=None, max_length=120)
    key: bool = False
    created_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class OutcomeIssue(SQLModel, table=True):
    """A resident's case that fed an outcome; ``told_at`` once the resident heard the end."""

    __tablename__ = "outcome_issue"

    outcome_id: int = Field(foreign_key="outcome.id", primary_key=True, ondelete="CASCADE")
    issue_id: int = Field(foreign_key="issue.id", primary_key=True, index=True, ondelete="CASCADE")
    told_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class OutcomeMember(SQLModel, table=True):
    """A member who took part in the consultation an outcome came from."""

    __tablename__ = "outcome_member"

    outcome_id: int = Field(foreign_key="outcome.id", primary_key=True, ondelete="CASCADE")
    member_id: int = Field(
        foreign_key="member.id", primary_key=True, index=True, ondelete="CASCADE"
    )
