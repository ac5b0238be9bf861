"""Guests of a consultation: department heads, experts and sector representatives.

Staff invite a guest to one meeting; the guest opens a link (``/start`` with a one-time
token, of which only the SHA-256 is stored) and their chat gets a guest pass for that
meeting: its agenda, its materials, speaking, and nothing else. ``identity_id`` is the chat
that redeemed the link; a revoked or expired pass opens nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class MeetingGuest(SQLModel, table=True):
    """One guest of one meeting; ``kind`` is a :class:`storage.enums.GuestKind`."""

    __tablename__ = "meeting_guest"
    __table_args__ = (Index("ix_meeting_guest_identity", "identity_id", "meeting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=80)
    kind: str = Field(max_length=30)
    organisation: str = Field(default="", max_length=120)
    department_id: int | None = Field(
        default=None, foreign_key="department.id", ondelete="SET NULL"
    )
    token_hash: str = Field(max_length=64, unique=True)
    identity_id: int | None = Field(
        default=None, foreign_key="chat_identity.id", ondelete="SET NULL"
    )
    invited_by_staff_id: int | None = Field(
        default=None, foreign_key="staff.id", ondelete="SET NULL"
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    redeemed_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    revoked_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
