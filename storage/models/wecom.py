"""What the WeCom channel keeps: who a WeCom userid is, and the cards sent there.

``wecom_person`` names the member, staff member or department a WeCom userid belongs to, so
that the person's first message links their chat as an invitation code would. One userid is
one person: a row names exactly one of the three.

``wecom_card`` is a ``button_interaction`` card the bot sent: its task id, and the response
code of the latest click, which WeCom accepts once, within 72 hours, to update the card.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Column
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class WeComPerson(SQLModel, table=True):
    """A WeCom userid and the member, staff member or department contact it belongs to."""

    __tablename__ = "wecom_person"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN member_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN staff_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN department_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
    )

    userid: str = Field(max_length=64, primary_key=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", unique=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", unique=True)
    # A department has several handlers, each with a userid of their own.
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class WeComCard(SQLModel, table=True):
    """A card the bot sent (``message_id`` is its channel message) and its latest click."""

    __tablename__ = "wecom_card"

    message_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    task_id: str = Field(max_length=128, unique=True)
    response_code: str | None = Field(default=None, max_length=256)
    clicked_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
