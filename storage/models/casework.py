"""Working on cases: canned replies, requests for more time, social-conditions reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class CannedReply(SQLModel, table=True):
    """A ready answer staff can send to a resident, in both languages."""

    __tablename__ = "canned_reply"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    title_zh: str = Field(max_length=60)
    title_en: str = Field(max_length=80)
    text_zh: str = Field(sa_column=Column(Text, nullable=False))
    text_en: str = Field(sa_column=Column(Text, nullable=False))
    sort_order: int = 0
    active: bool = True


class IssueExtension(SQLModel, table=True):
    """An assignee's request for more time on a case, and staff's decision."""

    __tablename__ = "issue_extension"
    __table_args__ = (Index("ix_issue_extension_issue", "issue_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", ondelete="CASCADE")
    requested_by: str = Field(max_length=20)
    requester_id: int
    days: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    decision: str | None = Field(default=None, max_length=20)
    decided_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    decided_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )


class ConditionsReport(SQLModel, table=True):
    """A social-conditions report (社情民意信息) a member wrote from cases assigned to them."""

    __tablename__ = "conditions_report"
    __table_args__ = (Index("ix_conditions_report_state", "state", "submitted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=120)
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="submitted", max_length=20)
    submitted_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    decided_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    decided_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    staff_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    activity_id: int | None = Field(default=None, foreign_key="activity.id", ondelete="SET NULL")


class ConditionsReportIssue(SQLModel, table=True):
    """A case a social-conditions report was written from."""

    __tablename__ = "conditions_report_issue"

    report_id: int = Field(foreign_key="conditions_report.id", primary_key=True, ondelete="CASCADE")
    issue_id: int = Field(foreign_key="issue.id", primary_key=True, ondelete="CASCADE")
