"""Proposals (提案): the member's text, the office's review, and how they were rated.

A proposal is a member's or, through its convenor (``author_member_id``), a sector's
(exactly one of ``member_id`` and ``sector_id``). Its ``state`` moves draft → submitted →
registered (立案; or not_registered, with a reason) → assigned → answered → closed, with
``rehandling`` once when the member is not satisfied. ``number`` is the office's
registration number (``2026-T-0042``), unique in its year, given at registration.
``rating`` is the year-end mark: ``''``, ``excellent``, ``key`` or ``excellent_key``; the
member's own rating of the handling is ``satisfaction``. Suggestions, departments' answers
and the timeline live in :mod:`storage.models.handling`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Proposal(SQLModel, table=True):
    """A registered proposal."""

    __tablename__ = "proposal"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_proposal_year_number"),
        Index("ix_proposal_member", "member_id", "year"),
        Index("ix_proposal_sector", "sector_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    number: str | None = Field(default=None, max_length=20)
    title: str = Field(max_length=200)
    submitted_on: dt.date | None = None
    state: str = Field(default="registered", max_length=20, index=True)
    situation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    author_member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    source: str = Field(default="chat", max_length=10)
    review_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    converted_to: str | None = Field(default=None, max_length=20)
    reviewed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    reviewed_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    due_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    handling_round: int = 0
    answered_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    satisfaction: str | None = Field(default=None, max_length=20)
    satisfaction_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    rated_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    public: bool = False
    member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="CASCADE")
    sector_id: int | None = Field(default=None, foreign_key="sector.id", ondelete="CASCADE")
    rating: str = Field(default="", max_length=20)
    recorded_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    withdrawn_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class ProposalCosigner(SQLModel, table=True):
    """A member invited to co-sign a proposal; only a ``confirmed`` one co-signed it."""

    __tablename__ = "proposal_cosigner"

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True, ondelete="CASCADE")
    member_id: int = Field(
        foreign_key="member.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    state: str = Field(default="confirmed", max_length=12)
    invited_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    answered_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class ProposalFile(SQLModel, table=True):
    """A photo or document attached to a proposal; ``file_id`` is the channel's handle."""

    __tablename__ = "proposal_file"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    position: int = 0
    kind: str = Field(default="document", max_length=20)
    channel: str = Field(max_length=20)
    file_id: str = Field(max_length=255)
    file_unique_id: str = Field(default="", max_length=100)
    file_name: str | None = Field(default=None, max_length=200)
    mime_type: str | None = Field(default=None, max_length=100)
    file_size: int | None = None
