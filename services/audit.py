"""The audit log: every staff action is written down with who, what, when, before and after.

Entries are written inside the transaction of the change they describe, so a change and its
entry are stored together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import AuditEntry, Staff


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member, a member, a department handler, the CLI or the system."""

    kind: str
    id: int | None = None
    name: str = ""

    @classmethod
    def staff(cls, staff: Staff) -> Actor:
        """A staff member acting in the chat."""
        return cls("staff", staff.id, staff.name)

    @classmethod
    def cli(cls, name: str = "") -> Actor:
        """An operator at the command line."""
        return cls("cli", None, name or "cli")


def _dump(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """The fields that differ, as (before, after) dictionaries."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}


def audit(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    object_kind: str,
    object_id: object = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    now: dt.datetime,
) -> AuditEntry:
    """Add an entry to the caller's transaction."""
    entry = AuditEntry(
        at=now,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name[:60],
        action=action,
        object_kind=object_kind,
        object_id=str(object_id)[:40],
        before=_dump(before),
        after=_dump(after),
    )
    session.add(entry)
    return entry


async def list_entries(
    session: AsyncSession,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    actor_kind: str | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    object_kind: str | None = None,
    object_id: str | None = None,
    limit: int = 50,
) -> Sequence[AuditEntry]:
    """The latest entries matching every filter given, newest first."""
    stmt = select(AuditEntry)
    if since is not None:
        stmt = stmt.where(col(AuditEntry.at) >= since)
    if until is not None:
        stmt = stmt.where(col(AuditEntry.at) < until)
    if actor_kind is not None:
        stmt = stmt.where(col(AuditEntry.actor_kind) == actor_kind)
    if actor_id is not None:
        stmt = stmt.where(col(AuditEntry.actor_id) == actor_id)
    if action is not None:
        stmt = stmt.where(col(AuditEntry.action) == action)
    if object_kind is not None:
        stmt = stmt.where(col(AuditEntry.object_kind) == object_kind)
    if object_id is not None:
        stmt = stmt.where(col(AuditEntry.object_id) == object_id)
    stmt = stmt.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()
