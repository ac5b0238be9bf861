"""Who a broadcast reaches: an audience resolved to distinct chats, and how many blocked us.

Members are reached through the chats linked to serving members, residents only through
their opt-in to a station's notices, department handlers and staff through their bound
chats. Station staff may only reach the residents of their own stations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.errors import DomainError
from storage.enums import AudienceKind, MemberGroup, MemberStatus
from storage.models import (
    ChatIdentity,
    Department,
    DepartmentBinding,
    Meeting,
    MeetingInvitee,
    Member,
    MemberBinding,
    Resident,
    Sector,
    SpecialCommittee,
    Staff,
    StaffBinding,
    Station,
    StationSubscription,
)

ChatQuery: TypeAlias = Select[int | None, str, int, bool]

# Kinds that name one thing (a sector, a group ...) in ``value``; the others take none.
VALUED_KINDS = frozenset(
    {
        AudienceKind.SECTOR,
        AudienceKind.GROUP,
        AudienceKind.COMMITTEE,
        AudienceKind.MEETING,
        AudienceKind.STATION,
    }
)


@dataclass(frozen=True)
class Audience:
    """An audience as stored on a broadcast: a kind and, for some kinds, which one."""

    kind: AudienceKind
    value: str = ""

    @classmethod
    def parse(cls, kind: str, value: str = "") -> Audience:
        """Check the shape of an audience (not yet whether the thing it names exists)."""
        try:
            parsed = AudienceKind(kind)
        except ValueError:
            raise DomainError("audience_invalid", kind=kind) from None
        value = value.strip()
        if (parsed in VALUED_KINDS) != bool(value):
            raise DomainError("audience_invalid", kind=kind)
        if parsed in (AudienceKind.MEETING, AudienceKind.STATION) and not value.isdigit():
            raise DomainError("audience_invalid", kind=kind)
        if parsed == AudienceKind.GROUP and value not in set(MemberGroup):
            raise DomainError("audience_unknown", kind=kind)
        return cls(parsed, value)

    @property
    def number(self) -> int:
        """The id a meeting or station audience names."""
        return int(self.value)


@dataclass(frozen=True)
class Target:
    """One chat of an audience."""

    identity_id: int
    channel: str
    chat_id: int
    blocked: bool


@dataclass(frozen=True)
class AudienceSize:
    """How many chats an audience reaches, and how many of them blocked the bot."""

    total: int
    blocked: int

    @property
    def reachable(self) -> int:
        """The chats a message can actually reach."""
        return self.total - self.blocked


def allowed(scope: StaffScope, audience: Audience) -> bool:
    """Whether a staff member may address this audience.

    Administrators may address any; station staff only the opted-in residents of a station
    they look after.
    """
    if scope.admin:
        return True
    return audience.kind == AudienceKind.STATION and scope.covers(audience.number)


def require_allowed(scope: StaffScope, audience: Audience) -> None:
    """Refuse an audience outside the staff member's reach."""
    if not allowed(scope, audience):
        raise DomainError("audience_out_of_scope")


def _chats() -> ChatQuery:
    return select(
        col(ChatIdentity.id),
        col(ChatIdentity.channel),
        col(ChatIdentity.chat_id),
        col(ChatIdentity.blocked),
    )


def _members(*conditions: Any) -> ChatQuery:
    return (
        _chats()
        .join(MemberBinding, col(MemberBinding.identity_id) == col(ChatIdentity.id))
        .join(Member, col(Member.id) == col(MemberBinding.member_id))
        .where(col(Member.status) == MemberStatus.ACTIVE, *conditions)
    )


def _residents(*conditions: Any) -> ChatQuery:
    return (
        _chats()
        .join(Resident, col(Resident.identity_id) == col(ChatIdentity.id))
        .join(StationSubscription, col(StationSubscription.resident_id) == col(Resident.id))
        .join(Station, col(Station.id) == col(StationSubscription.station_id))
        .where(col(Station.active).is_(True), *conditions)
    )


def _departments() -> ChatQuery:
    return (
        _chats()
        .join(DepartmentBinding, col(DepartmentBinding.identity_id) == col(ChatIdentity.id))
        .join(Department, col(Department.id) == col(DepartmentBinding.department_id))
        .where(col(Department.active).is_(True))
    )


def _staff() -> ChatQuery:
    return (
        _chats()
        .join(StaffBinding, col(StaffBinding.identity_id) == col(ChatIdentity.id))
        .join(Staff, col(Staff.id) == col(StaffBinding.staff_id))
        .where(col(Staff.active).is_(True))
    )


async def _code_id(session: AsyncSession, model: type[Sector | SpecialCommittee], code: str) -> int:
    found = (
        await session.execute(select(col(model.id)).where(col(model.code) == code))
    ).scalar_one_or_none()
    if found is None:
        raise DomainError("audience_unknown", kind=model.__tablename__)
    return int(found)


async def _queries(session: AsyncSession, audience: Audience) -> list[ChatQuery]:
    kind, value = audience.kind, audience.value
    if kind == AudienceKind.MEMBERS:
        return [_members()]
    if kind == AudienceKind.SECTOR:
        return [_members(col(Member.sector_id) == await _code_id(session, Sector, value))]
    if kind == AudienceKind.GROUP:
        return [_members(col(Member.assessment_group) == value)]
    if kind == AudienceKind.COMMITTEE:
        committee = await _code_id(session, SpecialCommittee, value)
        return [_members(col(Member.special_committee_id) == committee)]
    if kind == AudienceKind.MEETING:
        if await session.get(Meeting, audience.number) is None:
            raise DomainError("audience_unknown", kind=kind)
        invited = select(col(MeetingInvitee.member_id)).where(
            col(MeetingInvitee.meeting_id) == audience.number
        )
        return [_members(col(Member.id).in_(invited))]
    if kind == AudienceKind.STATION:
        station = await session.get(Station, audience.number)
        if station is None or not station.active:
            raise DomainError("audience_unknown", kind=kind)
        return [_residents(col(StationSubscription.station_id) == audience.number)]
    if kind == AudienceKind.DEPARTMENTS:
        return [_departments()]
    return [_members(), _residents(), _departments(), _staff()]


async def resolve(session: AsyncSession, *, audience: Audience, scope: StaffScope) -> list[Target]:
    """Every distinct chat of the audience, in a stable order; refused outside the scope."""
    require_allowed(scope, audience)
    found: dict[int, Target] = {}
    for query in await _queries(session, audience):
        for identity_id, channel, chat_id, blocked in (await session.execute(query)).all():
            if identity_id is None:  # never: it is a primary key
                continue
            found.setdefault(identity_id, Target(identity_id, channel, chat_id, bool(blocked)))
    return [found[key] for key in sorted(found)]


def size_of(targets: Iterable[Target]) -> AudienceSize:
    """The size of a resolved audience."""
    total = blocked = 0
    for target in targets:
        total += 1
        blocked += target.blocked
    return AudienceSize(total=total, blocked=blocked)


async def count(session: AsyncSession, *, audience: Audience, scope: StaffScope) -> AudienceSize:
    """How many chats the audience reaches, and how many of those blocked the bot."""
    return size_of(await resolve(session, audience=audience, scope=scope))
