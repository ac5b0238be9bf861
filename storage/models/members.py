"""Members (委员): the roster, their special committees, stations, paired people and chats."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.models._naming  # noqa: F401  (naming convention first)
from storage.types import UTCDateTime


class SpecialCommittee(SQLModel, table=True):
    """A special committee (专委会), linking 2 to 6 sectors."""

    __tablename__ = "special_committee"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_zh: str = Field(max_length=120)
    name_en: str = Field(max_length=160)
    sort_order: int = 0


class SpecialCommitteeSector(SQLModel, table=True):
    """A sector linked to a special committee."""

    __tablename__ = "special_committee_sector"

    committee_id: int = Field(
        foreign_key="special_committee.id", primary_key=True, ondelete="CASCADE"
    )
    sector_id: int = Field(foreign_key="sector.id", primary_key=True, ondelete="CASCADE")


class Member(SQLModel, table=True):
    """A committee member on the roster; ``code`` is the office's own id, stable across imports."""

    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=60)
    sector_id: int = Field(foreign_key="sector.id", index=True)
    assessment_group: str = Field(max_length=20)
    special_committee_id: int | None = Field(default=None, foreign_key="special_committee.id")
    status: str = Field(default="active", max_length=20)
    # Works in the committee office (政协机关): assessed apart from the other members.
    office: bool = False
    term: str = Field(default="", max_length=40)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class MemberStation(SQLModel, table=True):
    """A liaison station a member serves at."""

    __tablename__ = "member_station"

    member_id: int = Field(foreign_key="member.id", primary_key=True, ondelete="CASCADE")
    station_id: int = Field(foreign_key="station.id", primary_key=True, ondelete="CASCADE")


class PairedPerson(SQLModel, table=True):
    """One of the sector-group people a member is paired with (挂钩结对).

    A person is one row for good, matched by name on every roster import, so the activities
    that reached them stay theirs. ``position`` is their column on the roster (1 to 4). Once
    the roster no longer lists them they are retired: ``retired_at`` is set and the row is kept
    with its history, hidden from progress and from new entries. A retired person gives up the
    slot: ``position`` becomes minus the row's id, which no listed person can hold.
    """

    __tablename__ = "paired_person"
    __table_args__ = (UniqueConstraint("member_id", "position", name="uq_paired_person_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    position: int
    name: str = Field(max_length=60)
    affiliation: str = Field(default="", max_length=120)
    retired_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )

    @property
    def retired(self) -> bool:
        """Whether the roster no longer lists this person."""
        return self.retired_at is not None


class MemberBinding(SQLModel, table=True):
    """A chat linked to a member: at most one per channel, and a chat to one member."""

    __tablename__ = "member_binding"
    __table_args__ = (UniqueConstraint("member_id", "channel", name="uq_member_binding_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    channel: str = Field(max_length=20)
    identity_id: int = Field(foreign_key="chat_identity.id", unique=True, ondelete="CASCADE")
    bound_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class InviteCode(SQLModel, table=True):
    """A one-time code that links a chat to a member or a staff member; only its hash is kept."""

    __tablename__ = "invite_code"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = Field(
        default=None, foreign_key="member.id", index=True, ondelete="CASCADE"
    )
    staff_id: int | None = Field(default=None, foreign_key="staff.id", ondelete="CASCADE")
    department_id: int | None = Field(default=None, foreign_key="department.id", ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True)
    issued_by: str = Field(default="cli", max_length=60)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    used_by_identity_id: int | None = Field(
        default=None, foreign_key="chat_identity.id", ondelete="SET NULL"
    )


class InviteFailure(SQLModel, table=True):
    """A wrong invitation code tried from a chat; enough of them lock the chat out."""

    __tablename__ = "invite_failure"

    id: int | None = Field(default=None, primary_key=True)
    identity_id: int = Field(foreign_key="chat_identity.id", index=True, ondelete="CASCADE")
    at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
