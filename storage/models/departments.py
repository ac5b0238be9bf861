"""Departments (承办单位) that handle residents' cases, and their handlers' chats."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class Department(SQLModel, table=True):
    """A government department; ``code`` is the office's own id, stable across imports."""

    __tablename__ = "department"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_zh: str = Field(max_length=120)
    name_en: str = Field(max_length=160)
    active: bool = True
    sort_order: int = 0
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class DepartmentBinding(SQLModel, table=True):
    """A chat of one of a department's handlers; a department may have several."""

    __tablename__ = "department_binding"

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=20)
    identity_id: int = Field(foreign_key="chat_identity.id", unique=True, ondelete="CASCADE")
    bound_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
