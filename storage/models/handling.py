"""Suggestions and their handling: the items of proposals and of consultation outcomes.

A :class:`Suggestion` is one numbered item of a proposal (``proposal_id``) or of an outcome
(``outcome_id``), never both. An outcome's suggestion moves through the six stages
itself (formed, submitted, reviewed, assigned, handled, fed_back); a proposal's items share
their proposal's state. A :class:`Handling` is one department's work on one suggestion in
one round: its due date, its answer and how far the suggestion was adopted. Requests for
more time, face-to-face meetings (面商), ratings and the timeline of every move are kept
beside them, for proposals and outcomes alike.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Suggestion(SQLModel, table=True):
    """One numbered suggestion of a proposal or of a consultation outcome."""

    __tablename__ = "suggestion"
    __table_args__ = (
        Index("ix_suggestion_proposal", "proposal_id", "position"),
        Index("ix_suggestion_outcome", "outcome_id", "position"),
        Index("ix_suggestion_stage", "stage", "stage_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", ondelete="CASCADE")
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id", ondelete="CASCADE")
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    stage: str = Field(default="formed", max_length=12)
    stage_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    submitted_to: str | None = Field(default=None, max_length=20)
    review_by: str | None = Field(default=None, max_length=120)
    review_on: dt.date | None = None
    review_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    due_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    adoption: str | None = Field(default=None, max_length=12)
    lookback_on: dt.date | None = None
    lookback_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    lookback_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    public: bool = False


class Handling(SQLModel, table=True):
    """One department's work on one suggestion in one round (1, or 2 after a re-handling)."""

    __tablename__ = "handling"
    __table_args__ = (
        UniqueConstraint("suggestion_id", "department_id", "round", name="uq_handling_item"),
        Index("ix_handling_department_open", "department_id", "answered_at", "due_at"),
        Index("ix_handling_open_due", "answered_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(foreign_key="suggestion.id", ondelete="CASCADE")
    department_id: int = Field(foreign_key="department.id", ondelete="CASCADE")
    lead: bool = True
    round: int = 1
    assigned_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    due_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    adoption: str | None = Field(default=None, max_length=12)
    answered_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    answered_by: str | None = Field(default=None, max_length=160)


class HandlingExtension(SQLModel, table=True):
    """A department's request for more time on a proposal or one outcome suggestion."""

    __tablename__ = "handling_extension"
    __table_args__ = (Index("ix_handling_extension_department", "department_id", "decision"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", ondelete="CASCADE")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", ondelete="CASCADE")
    suggestion_id: int | None = Field(default=None, foreign_key="suggestion.id", ondelete="CASCADE")
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


class FaceMeeting(SQLModel, table=True):
    """A face-to-face meeting (面商) a department held with the proposing member."""

    __tablename__ = "face_meeting"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    department_id: int = Field(foreign_key="department.id", ondelete="CASCADE")
    met_on: dt.date
    note: str = Field(sa_column=Column(Text, nullable=False))
    recorded_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PipelineRating(SQLModel, table=True):
    """A rating of handling: the member's, a look back's, a quality evaluation's, a resident's.

    ``subject`` is ``proposal:<id>`` or ``suggestion:<id>``; ``department_id`` is 0 unless a
    quality evaluation rates one department. One rating per rater, purpose and round.
    """

    __tablename__ = "pipeline_rating"
    __table_args__ = (
        UniqueConstraint(
            "subject",
            "purpose",
            "round",
            "department_id",
            "rater_kind",
            "rater_id",
            name="uq_pipeline_rating_once",
        ),
        Index("ix_pipeline_rating_purpose", "purpose", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=30)
    purpose: str = Field(max_length=12)
    round: int = 1
    department_id: int = 0
    rater_kind: str = Field(max_length=10)
    rater_id: int
    value: str = Field(max_length=12)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PipelineEvent(SQLModel, table=True):
    """One line of a proposal's or an outcome's timeline: a move, an answer, an undo."""

    __tablename__ = "pipeline_event"
    __table_args__ = (
        Index("ix_pipeline_event_proposal", "proposal_id", "created_at"),
        Index("ix_pipeline_event_outcome", "outcome_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", ondelete="CASCADE")
    outcome_id: int | None = Field(default=None, foreign_key="outcome.id", ondelete="CASCADE")
    suggestion_id: int | None = Field(default=None, foreign_key="suggestion.id", ondelete="CASCADE")
    kind: str = Field(max_length=20)
    from_stage: str | None = Field(default=None, max_length=20)
    to_stage: str | None = Field(default=None, max_length=20)
    actor: str = Field(default="system", max_length=20)
    actor_id: int | None = None
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PipelineCounter(SQLModel, table=True):
    """The last number handed out in a year for a series: ``T`` proposals, ``C`` outcomes."""

    __tablename__ = "pipeline_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    series: str = Field(primary_key=True, max_length=2)
    last: int = 0
