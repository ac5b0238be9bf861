"""The year's consultation plan (年度协商计划): which topics are consulted on, when, by whom.

One plan per year, drafted by the office and published to members and on a public page; each
publication raises ``version``, so a notice is sent once per version. A plan item puts one
topic in the plan with its lead special committee, its month, its form (a consultation kind)
and whether it is a key topic (重点议题). ``slot`` says whether it is one of the plan's own
consultations ("6" of "6+X") or an extra one held by sectors and committees ("X").
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class PlanState(StrEnum):
    """Whether the year's plan has been published."""

    DRAFT = "draft"
    PUBLISHED = "published"


class PlanSlot(StrEnum):
    """A planned consultation: one of the plan's own ("6") or an extra one ("X")."""

    PLAN = "plan"
    EXTRA = "extra"


class ConsultationPlan(SQLModel, table=True):
    """One year's plan; ``version`` counts its publications (0: never published)."""

    __tablename__ = "consultation_plan"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    state: str = Field(default=PlanState.DRAFT, max_length=20)
    version: int = 0
    published_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The items as last published (JSON): what members and the public page read while the
    # office works on the next version.
    published_items: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PlanItem(SQLModel, table=True):
    """A topic in a plan: lead committee, month, form, key flag and slot."""

    __tablename__ = "plan_item"
    __table_args__ = (
        UniqueConstraint("plan_id", "topic_id", name="uq_plan_item_topic"),
        Index("ix_plan_item_plan_month", "plan_id", "month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="consultation_plan.id", ondelete="CASCADE")
    topic_id: int = Field(foreign_key="topic.id", ondelete="CASCADE")
    committee_id: int = Field(foreign_key="special_committee.id")
    month: int
    form: str = Field(max_length=30)
    key: bool = False
    slot: str = Field(default=PlanSlot.PLAN, max_length=10)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
