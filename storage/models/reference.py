"""Reference data: liaison stations, sectors, issue categories."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)


class Station(SQLModel, table=True):
    """A liaison station (联络站) where residents hand in issues."""

    __tablename__ = "station"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    district_code: str = Field(default="", max_length=20)
    name_zh: str = Field(max_length=120)
    name_en: str = Field(max_length=160)
    address_zh: str = Field(default="", max_length=200)
    address_en: str = Field(default="", max_length=240)
    latitude: float | None = None
    longitude: float | None = None
    active: bool = True
    sort_order: int = 0


class Sector(SQLModel, table=True):
    """A sector (界别) that members represent."""

    __tablename__ = "sector"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    group_no: int = Field(description="Sector assessment group, 1 to 4.")
    name_zh: str = Field(max_length=120)
    name_en: str = Field(max_length=160)
    sort_order: int = 0
    # The member who may write proposals in the sector's name. Members point at their
    # sector too, so this key is created after both tables (``use_alter``) to break the cycle.
    convenor_member_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("member.id", ondelete="SET NULL", use_alter=True), nullable=True
        ),
    )


class IssueCategory(SQLModel, table=True):
    """What an issue is about; carries the default time allowed for an answer."""

    __tablename__ = "issue_category"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_zh: str = Field(max_length=120)
    name_en: str = Field(max_length=160)
    due_days: int = 14
    sort_order: int = 0
    active: bool = True
