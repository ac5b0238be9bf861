"""Residents who follow an open case instead of reporting it again ("me too").

A resident about to report what an open case at the same station already says may follow
that case: one row here, unique per case and resident. The rows are the case's supporters:
they hear of its changes like its own resident, see it (read-only) among their issues, and
their number is the support staff read on the case card.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class IssueSupport(SQLModel, table=True):
    """One resident following one case they did not report; ``channel`` is where they said so."""

    __tablename__ = "issue_support"
    __table_args__ = (
        UniqueConstraint("issue_id", "resident_id", name="uq_issue_support_issue_resident"),
        Index("ix_issue_support_resident", "resident_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", ondelete="CASCADE")
    resident_id: int = Field(foreign_key="resident.id", ondelete="CASCADE")
    channel: str = Field(default="telegram", max_length=20)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
