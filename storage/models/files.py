"""Files the bot keeps for itself (meeting materials), stored on disk by content hash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class StoredFile(SQLModel, table=True):
    """A file by its content hash; ``telegram_file_id`` saves uploading it twice."""

    __tablename__ = "stored_file"

    key: str = Field(primary_key=True, max_length=80)
    name: str = Field(max_length=120)
    mime_type: str = Field(default="application/octet-stream", max_length=100)
    size: int = 0
    telegram_file_id: str | None = Field(default=None, max_length=255)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
