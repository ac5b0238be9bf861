"""Who hears of a change to a case: its residents, the staff of its station, its assignee.

A case's resident is told through the outbox, in the transaction of the change; so are the
residents whose cases were merged into it as duplicates, since they follow this case now, and
the residents who said "me too" (see :mod:`services.cases.support`). A resident's notice
carries the case's plain facts, for a template message where the notice itself may not go.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.staff import staff_recipients
from services.cases.facts import with_case_facts
from services.cases.support import supporter_chats
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from storage.enums import StaffRole
from storage.models import (
    ChatIdentity,
    DepartmentBinding,
    Issue,
    Resident,
    Staff,
    StaffBinding,
    StaffStation,
)


async def resident_chats(session: AsyncSession, issue: Issue) -> list[tuple[Issue, ChatIdentity]]:
    """The case's own resident and those whose cases were merged into it, with their cases."""
    assert issue.id is not None
    rows = (
        await session.execute(
            select(Issue, ChatIdentity)
            .join(Resident, col(Resident.id) == col(Issue.resident_id))
            .join(ChatIdentity, col(ChatIdentity.id) == col(Resident.identity_id))
            .where(or_(col(Issue.id) == issue.id, col(Issue.duplicate_of_id) == issue.id))
            .order_by(col(Issue.id))
        )
    ).all()
    return [(case, identity) for case, identity in rows]


async def tell_residents(
    session: AsyncSession,
    issue: Issue,
    *,
    kind: str,
    key: str,
    notifier: Notifier,
    now: dt.datetime,
    urgent: bool = False,
    **data: Any,
) -> int:
    """Queue a notice to every resident following the case; ``key`` names the occasion."""
    queued = 0
    for case, identity in await resident_chats(session, issue):
        message = notifier.render(kind, identity, issue=issue, own=case, **data)
        queued += await add(
            session,
            to=Recipient.of(identity),
            message=await with_case_facts(
                session,
                message,
                notifier=notifier,
                identity=identity,
                issue=issue,
                own=case,
                now=now,
            ),
            dedupe_key=f"case:{issue.id}:{key}:{case.id}",
            now=now,
            urgent=urgent,
            kind=kind,
        )
    for resident, identity in await supporter_chats(session, issue):
        message = notifier.render(kind, identity, issue=issue, own=None, **data)
        queued += await add(
            session,
            to=Recipient.of(identity),
            message=await with_case_facts(
                session,
                message,
                notifier=notifier,
                identity=identity,
                issue=issue,
                own=None,
                now=now,
            ),
            dedupe_key=f"case:{issue.id}:{key}:support:{resident.id}",
            now=now,
            urgent=urgent,
            kind=kind,
        )
    return queued


async def resident_locale(session: AsyncSession, issue: Issue) -> str | None:
    """The language the case's resident chose, if they still have a chat with us."""
    if issue.resident_id is None:
        return None
    return (
        await session.execute(
            select(func.coalesce(col(ChatIdentity.locale), col(ChatIdentity.client_locale)))
            .join(Resident, col(Resident.identity_id) == col(ChatIdentity.id))
            .where(col(Resident.id) == issue.resident_id)
        )
    ).scalar_one_or_none()


async def staff_chats_for_station(session: AsyncSession, station_id: int) -> list[ChatIdentity]:
    """Chats of administrators and of the station staff who look after this station."""
    admins = [identity for _, _, identity in await staff_recipients(session)]
    local = (
        await session.execute(
            select(ChatIdentity)
            .join(StaffBinding, col(StaffBinding.identity_id) == col(ChatIdentity.id))
            .join(Staff, col(Staff.id) == col(StaffBinding.staff_id))
            .join(StaffStation, col(StaffStation.staff_id) == col(Staff.id))
            .where(
                col(Staff.active).is_(True),
                col(Staff.role) == StaffRole.STATION,
                col(StaffStation.station_id) == station_id,
            )
        )
    ).scalars()
    seen: dict[int | None, ChatIdentity] = {identity.id: identity for identity in admins}
    for identity in local:
        seen.setdefault(identity.id, identity)
    return list(seen.values())


async def tell_staff(
    session: AsyncSession,
    issue: Issue,
    *,
    kind: str,
    key: str,
    notifier: Notifier,
    now: dt.datetime,
    **data: Any,
) -> int:
    """Queue a notice about the case to the staff who look after its station."""
    queued = 0
    for identity in await staff_chats_for_station(session, issue.station_id):
        queued += await add(
            session,
            to=Recipient.of(identity),
            message=notifier.render(kind, identity, issue=issue, **data),
            dedupe_key=f"case:{issue.id}:{key}:staff:{identity.id}",
            now=now,
            kind=kind,
        )
    return queued


async def assignee_chats(session: AsyncSession, issue: Issue) -> list[ChatIdentity]:
    """Chats of whoever the case is assigned to: the member, or the department's handlers."""
    if issue.assignee_member_id is not None:
        return (await member_chats(session, [issue.assignee_member_id]))[issue.assignee_member_id]
    if issue.assignee_department_id is not None:
        rows = await session.execute(
            select(ChatIdentity)
            .join(DepartmentBinding, col(DepartmentBinding.identity_id) == col(ChatIdentity.id))
            .where(col(DepartmentBinding.department_id) == issue.assignee_department_id)
        )
        return list(rows.scalars())
    return []


async def tell_assignee(
    session: AsyncSession,
    issue: Issue,
    *,
    kind: str,
    key: str,
    notifier: Notifier,
    now: dt.datetime,
    chats: Sequence[ChatIdentity] | None = None,
    **data: Any,
) -> int:
    """Queue a notice about the case to its assignee's chats (or to ``chats``)."""
    queued = 0
    for identity in chats if chats is not None else await assignee_chats(session, issue):
        queued += await add(
            session,
            to=Recipient.of(identity),
            message=notifier.render(kind, identity, issue=issue, **data),
            dedupe_key=f"case:{issue.id}:{key}:chat:{identity.id}",
            now=now,
            kind=kind,
        )
    return queued
