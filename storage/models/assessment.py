"""The yearly duty assessment (履职考核): the points ledger, totals, the year's life and results.

Points are stored as integer hundredths (``*_c``): sums and ties are exact on every database.
``assessment_line`` is derived from the source records (activities, attendance, reports,
proposals, staff entries) and rebuilt whenever the year's rules change, until the year is
closed; from then on the lines and ``assessment_result`` are the frozen record, read with the
rules snapshot kept in ``assessment_year``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class AssessmentEntry(SQLModel, table=True):
    """A record staff add with its evidence: a quality item, or work done off the bot.

    Exactly one of ``member_id`` and ``sector_id`` is set. ``level`` picks the points of an
    item that has levels (an oral or a written speech). ``channel`` says how it came in:
    ``chat``, ``import``, ``cli`` or ``correction`` (the fix of an accepted correction).
    """

    __tablename__ = "assessment_entry"
    __table_args__ = (
        Index("ix_assessment_entry_member", "member_id", "year"),
        Index("ix_assessment_entry_sector", "sector_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    item_code: str = Field(max_length=10)
    level: str = Field(default="", max_length=20)
    member_id: int | None = Field(default=None, foreign_key="member.id", ondelete="CASCADE")
    sector_id: int | None = Field(default=None, foreign_key="sector.id", ondelete="CASCADE")
    occurred_on: dt.date
    title: str = Field(max_length=200)
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False))
    evidence_file_key: str | None = Field(
        default=None, max_length=80, foreign_key="stored_file.key", ondelete="SET NULL"
    )
    reference: str = Field(default="", max_length=80)
    quantity: int = 1
    recorded_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    channel: str = Field(default="chat", max_length=20)
    import_batch: str = Field(default="", max_length=40)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    deleted_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class AssessmentLine(SQLModel, table=True):
    """One line of the ledger: an item's points for a subject, and the record they came from.

    ``subject_kind`` is ``member`` or ``sector``. ``source_kind`` names the table of
    ``source_id``: ``activity``, ``invitation`` (``source_id`` is the meeting's id),
    ``report``, ``proposal``, ``cosign`` (a proposal co-signed), ``entry`` or ``members``
    (a sector figure drawn from its members, ``source_id`` 0). ``source_id`` is no foreign
    key: a frozen year keeps its line when the record is later removed.
    """

    __tablename__ = "assessment_line"
    __table_args__ = (
        UniqueConstraint(
            "year",
            "subject_kind",
            "subject_id",
            "item_code",
            "source_kind",
            "source_id",
            name="uq_assessment_line_source_item",
        ),
        Index(
            "ix_assessment_line_sum",
            "year",
            "subject_kind",
            "subject_id",
            "item_code",
            "points_c",
            "units_c",
        ),
        Index("ix_assessment_line_source", "source_kind", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    subject_kind: str = Field(max_length=8)
    subject_id: int
    item_code: str = Field(max_length=10)
    source_kind: str = Field(max_length=12)
    source_id: int
    occurred_on: dt.date
    units_c: int
    points_c: int
    fingerprint: str = Field(max_length=16)


class AssessmentTotal(SQLModel, table=True):
    """A subject's year so far: capped points, its group, and the fingerprint it was counted by.

    ``ranked`` is false for a member who is not ranked this year (suspended, left, or who
    served too short a part of it); they are still listed.
    """

    __tablename__ = "assessment_total"
    __table_args__ = (
        Index(
            "ix_assessment_total_rank", "year", "subject_kind", "group_code", "ranked", "total_c"
        ),
        Index("ix_assessment_total_fingerprint", "year", "fingerprint"),
    )

    year: int = Field(primary_key=True)
    subject_kind: str = Field(primary_key=True, max_length=8)
    subject_id: int = Field(primary_key=True)
    group_code: str = Field(max_length=20)
    ranked: bool = True
    total_c: int = 0
    quality_c: int = 0
    absences: int = 0
    fingerprint: str = Field(max_length=16)
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class AssessmentYear(SQLModel, table=True):
    """The life of a year's assessment: ``open``, ``closed`` (frozen), ``published``.

    ``rules_snapshot`` is the JSON of the ``[assessment]`` section the year was closed with,
    so a published year reads its item names and points from it, never from today's file.
    """

    __tablename__ = "assessment_year"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    state: str = Field(default="open", max_length=12)
    rules_version: int | None = None
    fingerprint: str = Field(default="", max_length=16)
    rules_snapshot: str = Field(default="", sa_column=Column(Text, nullable=False))
    closed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    closed_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    published_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    published_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )


class AssessmentResult(SQLModel, table=True):
    """A subject's frozen standing in a closed year, and the decisions that followed.

    ``items`` is the JSON of the capped points per item code. ``in_pool`` marks the top of
    the group (the pool for "excellent member", or the recommended sectors); ``tie_note``
    says how a tie at the cut was settled. ``excellent`` is the chairs' meeting's decision
    (None until decided).
    """

    __tablename__ = "assessment_result"
    __table_args__ = (Index("ix_assessment_result_group", "year", "subject_kind", "group_code"),)

    year: int = Field(primary_key=True)
    subject_kind: str = Field(primary_key=True, max_length=8)
    subject_id: int = Field(primary_key=True)
    group_code: str = Field(max_length=20)
    ranked: bool = True
    total_c: int = 0
    rank: int | None = None
    group_size: int = 0
    in_pool: bool = False
    tie_note: str = Field(default="", max_length=200)
    items: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    recommended_by_committee_id: int | None = Field(
        default=None, foreign_key="special_committee.id", ondelete="SET NULL"
    )
    recommended_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    excellent: bool | None = None
    decided_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class AssessmentCorrection(SQLModel, table=True):
    """A member's request to correct their ledger, and the office's decision.

    The request names a line of the ledger, or only an item when something is missing from
    it. An accepted request may come with a fix (``entry_id``: a staff entry with channel
    ``correction``).
    """

    __tablename__ = "assessment_correction"
    __table_args__ = (Index("ix_assessment_correction_state", "state", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    line_id: int | None = Field(default=None, foreign_key="assessment_line.id", ondelete="SET NULL")
    item_code: str = Field(max_length=10)
    source_kind: str = Field(default="", max_length=12)
    source_id: int | None = None
    reason: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="pending", max_length=12)
    staff_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    decided_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    decided_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    entry_id: int | None = Field(
        default=None, foreign_key="assessment_entry.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class MemberConduct(SQLModel, table=True):
    """A reminder talk, a suspension, a removal or a reinstatement, with who recorded it."""

    __tablename__ = "member_conduct"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    year: int
    kind: str = Field(max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    staff_id: int | None = Field(default=None, foreign_key="staff.id", ondelete="SET NULL")
    at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
