"""Staff: who they are, their chats, and who receives staff notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.errors import DomainError
from services.outbox.queue import Recipient
from storage.db import write_transaction
from storage.enums import Role, StaffRole
from storage.models import ChatIdentity, Staff, StaffBinding, StaffStation


async def add_staff(
    session: AsyncSession,
    *,
    name: str,
    role: str = StaffRole.ADMIN,
    now: dt.datetime,
    station_ids: Sequence[int] = (),
    actor: Actor | None = None,
) -> Staff:
    """Create a staff member; station staff look after the stations given."""
    if role not in set(StaffRole):
        raise DomainError("role_unknown")
    name = " ".join(name.split())
    if not 1 <= len(name) <= 60:
        raise DomainError("name_length")
    stations = sorted(set(station_ids))
    async with write_transaction(session):
        staff = Staff(name=name, role=role, active=True, created_at=now)
        session.add(staff)
        await session.flush()
        assert staff.id is not None
        session.add_all(StaffStation(staff_id=staff.id, station_id=s) for s in stations)
        audit(
            session,
            actor=actor or Actor.cli(),
            action="staff.add",
            object_kind="staff",
            object_id=staff.id,
            after={"name": name, "role": role, "stations": stations},
            now=now,
        )
    return staff


async def bind_staff(
    session: AsyncSession,
    *,
    staff_id: int,
    identity: ChatIdentity,
    now: dt.datetime,
    actor: Actor | None = None,
) -> None:
    """Link a chat to a staff member (inside the caller's transaction); a new link is audited.

    Without an ``actor`` the link was made at the command line.
    """
    assert identity.id is not None
    current = (
        await session.execute(
            select(StaffBinding).where(col(StaffBinding.identity_id) == identity.id)
        )
    ).scalar_one_or_none()
    if current is not None and current.staff_id != staff_id:
        raise DomainError("chat_taken")
    if current is None:
        session.add(
            StaffBinding(
                staff_id=staff_id, channel=identity.channel, identity_id=identity.id, bound_at=now
            )
        )
        audit(
            session,
            actor=actor or Actor.cli(),
            action="staff.bind",
            object_kind="staff",
            object_id=staff_id,
            after={"channel": identity.channel, "identity": identity.id},
            now=now,
        )
    await session.execute(
        update(ChatIdentity).where(col(ChatIdentity.id) == identity.id).values(role=Role.STAFF)
    )
    identity.role = Role.STAFF


async def staff_of_identity(session: AsyncSession, *, identity_id: int) -> Staff | None:
    """The active staff member a chat belongs to, or None."""
    stmt = (
        select(Staff)
        .join(StaffBinding, col(StaffBinding.staff_id) == col(Staff.id))
        .where(col(StaffBinding.identity_id) == identity_id, col(Staff.active).is_(True))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def staff_recipients(
    session: AsyncSession, *, roles: Sequence[str] = (StaffRole.ADMIN,)
) -> list[tuple[Staff, Recipient, ChatIdentity]]:
    """Every chat of active staff with one of ``roles``: who receives staff notices."""
    rows = (
        await session.execute(
            select(Staff, ChatIdentity)
            .join(StaffBinding, col(StaffBinding.staff_id) == col(Staff.id))
            .join(ChatIdentity, col(ChatIdentity.id) == col(StaffBinding.identity_id))
            .where(col(Staff.active).is_(True), col(Staff.role).in_(list(roles)))
            .order_by(col(Staff.id))
        )
    ).all()
    return [(staff, Recipient.of(identity), identity) for staff, identity in rows]


async def list_staff(session: AsyncSession) -> Sequence[Staff]:
    """Everyone on the staff list."""
    return (await session.execute(select(Staff).order_by(col(Staff.id)))).scalars().all()
