"""The audit log: every staff action, who did it, when, and the record before and after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class AuditEntry(SQLModel, table=True):
    """One action; ``before`` and ``after`` are JSON objects of the fields it changed."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor", "actor_kind", "actor_id", "at"),
        Index("ix_audit_log_object", "object_kind", "object_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor_kind: str = Field(max_length=20)
    actor_id: int | None = None
    actor_name: str = Field(default="", max_length=60)
    action: str = Field(max_length=40)
    object_kind: str = Field(max_length=30)
    object_id: str = Field(default="", max_length=40)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
