"""A meeting's materials: several files in order, and who may download them.

The bytes are kept as :mod:`services.meetings.materials` keeps every file; a row of
``meeting_material`` hands one out for one meeting. Members invited to the meeting and its
guests with a valid pass may download them; staff add and remove them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.consultations.guests import guest_of
from services.errors import DomainError
from storage.db import write_transaction
from storage.models import Meeting, MeetingInvitee, MeetingMaterial, StoredFile

MATERIALS_MAX = 20  # a meeting hands out no more than this many files


async def materials_of(session: AsyncSession, *, meeting_id: int) -> list[MeetingMaterial]:
    """A meeting's materials in the order staff added them."""
    rows = await session.scalars(
        select(MeetingMaterial)
        .where(col(MeetingMaterial.meeting_id) == meeting_id)
        .order_by(col(MeetingMaterial.position), col(MeetingMaterial.id))
    )
    return list(rows)


async def add_material(
    session: AsyncSession,
    *,
    meeting_id: int,
    file_key: str,
    name: str,
    staff_id: int | None,
    now: dt.datetime,
    actor: Actor,
) -> MeetingMaterial:
    """Add a kept file to a meeting's materials, last.

    Codes: ``not_found`` (no meeting or no kept file), ``too_many`` (with ``limit``).
    """
    async with write_transaction(session):
        if await session.get(Meeting, meeting_id) is None:
            raise DomainError("not_found", what="meeting")
        if await session.get(StoredFile, file_key) is None:
            raise DomainError("not_found", what="file")
        count, last = (
            await session.execute(
                select(func.count(), func.max(MeetingMaterial.position)).where(
                    col(MeetingMaterial.meeting_id) == meeting_id
                )
            )
        ).one()
        if count >= MATERIALS_MAX:
            raise DomainError("too_many", limit=MATERIALS_MAX)
        material = MeetingMaterial(
            meeting_id=meeting_id,
            file_key=file_key,
            name=name[:120],
            position=(last or 0) + 1 if count else 0,
            added_by_staff_id=staff_id,
            created_at=now,
        )
        session.add(material)
        await session.flush()
        audit(
            session,
            actor=actor,
            action="meeting.material.add",
            object_kind="meeting_material",
            object_id=material.id,
            after={"meeting": meeting_id, "name": material.name},
            now=now,
        )
    return material


async def remove_material(
    session: AsyncSession, *, meeting_id: int, material_id: int, now: dt.datetime, actor: Actor
) -> None:
    """Take a file off a meeting's materials. Codes: ``not_found``."""
    async with write_transaction(session):
        material = await session.get(MeetingMaterial, material_id)
        if material is None or material.meeting_id != meeting_id:
            raise DomainError("not_found", what="material")
        await session.delete(material)
        audit(
            session,
            actor=actor,
            action="meeting.material.remove",
            object_kind="meeting_material",
            object_id=material_id,
            before={"meeting": meeting_id, "name": material.name},
            now=now,
        )


async def material_for(
    session: AsyncSession,
    *,
    material_id: int,
    identity_id: int,
    member_id: int | None,
    now: dt.datetime,
) -> tuple[MeetingMaterial, StoredFile]:
    """A material the chat may download: an invited member's or a guest's of its meeting.

    Codes: ``not_found`` (no such material, its file is gone, or not the chat's to see).
    """
    material = await session.get(MeetingMaterial, material_id)
    if material is None:
        raise DomainError("not_found", what="material")
    guest = await guest_of(
        session, identity_id=identity_id, meeting_id=material.meeting_id, now=now
    )
    invitee = None
    if guest is None and member_id is not None:
        invitee = await session.get(MeetingInvitee, (material.meeting_id, member_id))
    allowed = guest is not None or invitee is not None
    stored = await session.get(StoredFile, material.file_key)
    if not allowed or stored is None:
        raise DomainError("not_found", what="material")
    return material, stored
