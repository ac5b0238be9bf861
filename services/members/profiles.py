"""Members: who a chat belongs to, and what the bot knows about a member."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.enums import MemberStatus
from storage.models import (
    Member,
    MemberBinding,
    MemberStation,
    PairedPerson,
    Sector,
    SpecialCommittee,
    Station,
)


@dataclass(frozen=True)
class MemberProfile:
    """A member with the things shown around their name."""

    member: Member
    sector: Sector
    committee: SpecialCommittee | None
    stations: list[Station] = field(default_factory=list)
    paired: list[PairedPerson] = field(default_factory=list)

    @property
    def id(self) -> int:
        """The member's id."""
        assert self.member.id is not None
        return self.member.id

    @property
    def active(self) -> bool:
        """Whether the member is serving (not suspended, not left)."""
        return self.member.status == MemberStatus.ACTIVE


async def member_of_identity(session: AsyncSession, *, identity_id: int) -> Member | None:
    """The member a chat is linked to, or None."""
    stmt = (
        select(Member)
        .join(MemberBinding, col(MemberBinding.member_id) == col(Member.id))
        .where(col(MemberBinding.identity_id) == identity_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def load_profile(session: AsyncSession, *, member_id: int) -> MemberProfile | None:
    """A member with sector, committee, stations and listed paired people; None if unknown."""
    row = (
        await session.execute(
            select(Member, Sector, SpecialCommittee)
            .join(Sector, col(Sector.id) == col(Member.sector_id))
            .outerjoin(
                SpecialCommittee, col(SpecialCommittee.id) == col(Member.special_committee_id)
            )
            .where(col(Member.id) == member_id)
        )
    ).first()
    if row is None:
        return None
    member, sector, committee = row
    stations = (
        await session.execute(
            select(Station)
            .join(MemberStation, col(MemberStation.station_id) == col(Station.id))
            .where(col(MemberStation.member_id) == member_id)
            .order_by(col(Station.sort_order))
        )
    ).scalars()
    paired = (
        await session.execute(
            select(PairedPerson)
            # Only the people the roster lists now can be ticked on a new entry.
            .where(col(PairedPerson.member_id) == member_id, col(PairedPerson.retired_at).is_(None))
            .order_by(col(PairedPerson.position))
        )
    ).scalars()
    return MemberProfile(member, sector, committee, list(stations), list(paired))


async def find_members(session: AsyncSession, query: str) -> Sequence[Member]:
    """Members matching an id, a roster code or a name exactly."""
    conditions = [col(Member.code) == query, col(Member.name) == query]
    if query.isdigit():
        conditions.append(col(Member.id) == int(query))
    stmt = select(Member).where(or_(*conditions)).order_by(col(Member.id))
    return (await session.execute(stmt)).scalars().all()


async def bindings_of(session: AsyncSession, *, member_id: int) -> Sequence[MemberBinding]:
    """The chats a member is linked to."""
    stmt = select(MemberBinding).where(col(MemberBinding.member_id) == member_id)
    return (await session.execute(stmt)).scalars().all()


async def assignable_members(
    session: AsyncSession,
    *,
    station_id: int | None = None,
    search: str | None = None,
    page: int = 0,
    page_size: int = 8,
) -> tuple[list[Member], int]:
    """Active members to give a case to, a page of them and how many there are.

    ``station_id`` keeps those serving at a station; ``search`` those whose name or roster
    code contains it.
    """
    stmt = select(Member).where(col(Member.status) == MemberStatus.ACTIVE)
    if station_id is not None:
        stmt = stmt.join(MemberStation, col(MemberStation.member_id) == col(Member.id)).where(
            col(MemberStation.station_id) == station_id
        )
    if search:
        pattern = f"%{search.strip()}%"
        stmt = stmt.where(or_(col(Member.name).like(pattern), col(Member.code).like(pattern)))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (
        await session.execute(
            stmt.order_by(col(Member.code), col(Member.id))
            .offset(max(page, 0) * page_size)
            .limit(page_size)
        )
    ).scalars()
    return list(rows), int(total)
