"""Who hears of a proposal's or an outcome's moves: departments' handlers, the office, authors."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.staff import staff_recipients
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from storage.models import ChatIdentity, DepartmentBinding, Proposal


async def department_chats(
    session: AsyncSession, department_ids: Sequence[int] | None = None
) -> dict[int, list[ChatIdentity]]:
    """The linked chats of the departments' handlers, by department (every one when None)."""
    query = (
        select(col(DepartmentBinding.department_id), ChatIdentity)
        .join(ChatIdentity, col(ChatIdentity.id) == col(DepartmentBinding.identity_id))
        .order_by(col(DepartmentBinding.department_id), col(ChatIdentity.id))
    )
    if department_ids is not None:
        query = query.where(col(DepartmentBinding.department_id).in_(list(department_ids)))
    chats: dict[int, list[ChatIdentity]] = defaultdict(list)
    for department_id, identity in (await session.execute(query)).all():
        chats[department_id].append(identity)
    return chats


async def chats_of_department(session: AsyncSession, department_id: int) -> list[ChatIdentity]:
    """The chats of one department's handlers."""
    return (await department_chats(session, [department_id])).get(department_id, [])


async def tell_chats(
    session: AsyncSession,
    chats: Sequence[ChatIdentity],
    *,
    kind: str,
    key: str,
    notifier: Notifier,
    now: dt.datetime,
    **data: Any,
) -> int:
    """Queue a notice to each chat; ``key`` names the occasion, the chat id makes it unique."""
    queued = 0
    for identity in chats:
        queued += await add(
            session,
            to=Recipient.of(identity),
            message=notifier.render(kind, identity, **data),
            dedupe_key=f"{key}:chat:{identity.id}",
            now=now,
            kind=kind,
        )
    return queued


async def admin_chats(session: AsyncSession) -> list[ChatIdentity]:
    """Administrators' chats: they decide on the pipeline, station staff do not."""
    return [identity for _, _, identity in await staff_recipients(session)]


async def author_chats(session: AsyncSession, proposal: Proposal) -> list[ChatIdentity]:
    """The chats of the member who wrote the proposal (the sector's convenor for a sector)."""
    author = proposal.author_member_id or proposal.member_id
    if author is None:
        return []
    return (await member_chats(session, [author]))[author]
