"""Proposals (提案) as the assessment counts them: who proposed, when, and how they were rated.

A proposal is a member's or, through its convenor, a sector's (exactly one of ``member_id``
and ``sector_id``). ``number`` is the office's registration number, unique in its year.
``rating`` is the year-end rating: ``''``, ``excellent``, ``key`` or ``excellent_key``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, UniqueConstraint
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
    number: str = Field(max_length=20)
    title: str = Field(max_length=200)
    submitted_on: dt.date
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
    """A member who co-signed a proposal."""

    __tablename__ = "proposal_cosigner"

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True, ondelete="CASCADE")
    member_id: int = Field(
        foreign_key="member.id", primary_key=True, index=True, ondelete="CASCADE"
    )
