"""Departments (承办单位): imported like the roster, their handlers' chats, who a chat is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.errors import DomainError
from services.members.profiles import member_of_identity
from services.members.roster import ImportReport
from services.translation import gettext as _
from storage.db import write_transaction
from storage.enums import Role
from storage.models import ChatIdentity, Department, DepartmentBinding

CODE_MAX = 40
NAME_MAX = 120
_ACTIVE_WORDS = {"", "1", "yes", "y", "true", "active", "是", "在用", "启用"}
_INACTIVE_WORDS = {"0", "no", "n", "false", "inactive", "否", "停用"}


def _parse(row: dict[str, str]) -> tuple[str, str, str, bool]:
    code = row.get("code") or row.get("编码") or ""
    name_zh = row.get("name_zh") or row.get("name") or row.get("名称") or ""
    name_en = row.get("name_en") or row.get("英文名称") or name_zh
    active_text = (row.get("active") or row.get("状态") or "").strip().lower()
    if not code or len(code) > CODE_MAX:
        raise ValueError(_("code missing or longer than {count} characters").format(count=CODE_MAX))
    if not name_zh or len(name_zh) > NAME_MAX or len(name_en) > 160:
        raise ValueError(_("name missing or longer than {count} characters").format(count=NAME_MAX))
    if active_text not in _ACTIVE_WORDS | _INACTIVE_WORDS:
        raise ValueError(_("active must be yes or no, not '{value}'").format(value=active_text))
    return code, name_zh, name_en, active_text not in _INACTIVE_WORDS


async def import_departments(
    session: AsyncSession, rows: list[dict[str, str]], *, now: dt.datetime
) -> ImportReport:
    """Create or update departments by code (columns code, name_zh, name_en, active).

    Valid rows are written in one transaction; bad rows are reported with their line number.
    Importing the same file again changes nothing.
    """
    report = ImportReport()
    parsed: list[tuple[str, str, str, bool]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        try:
            record = _parse(row)
        except ValueError as error:
            report.errors.append((number, str(error)))
            continue
        if record[0] in seen:
            report.errors.append((number, _("code '{code}' appears twice").format(code=record[0])))
            continue
        seen.add(record[0])
        parsed.append(record)
    async with write_transaction(session):
        for order, (code, name_zh, name_en, active) in enumerate(parsed):
            found = await department_by_code(session, code)
            if found is None:
                session.add(
                    Department(
                        code=code,
                        name_zh=name_zh,
                        name_en=name_en,
                        active=active,
                        sort_order=order,
                        created_at=now,
                        updated_at=now,
                    )
                )
                report.created += 1
            elif (found.name_zh, found.name_en, found.active) != (name_zh, name_en, active):
                found.name_zh, found.name_en, found.active = name_zh, name_en, active
                found.updated_at = now
                report.updated += 1
            else:
                report.unchanged += 1
    return report


async def list_departments(
    session: AsyncSession, *, active_only: bool = True
) -> Sequence[Department]:
    """Departments in their display order."""
    stmt = select(Department).order_by(col(Department.sort_order), col(Department.id))
    if active_only:
        stmt = stmt.where(col(Department.active).is_(True))
    return (await session.execute(stmt)).scalars().all()


async def department_by_code(session: AsyncSession, code: str) -> Department | None:
    """The department with this code."""
    return (
        await session.execute(select(Department).where(col(Department.code) == code))
    ).scalar_one_or_none()


async def department_of_identity(session: AsyncSession, *, identity_id: int) -> Department | None:
    """The active department a handler's chat belongs to, or None."""
    return (
        await session.execute(
            select(Department)
            .join(DepartmentBinding, col(DepartmentBinding.department_id) == col(Department.id))
            .where(
                col(DepartmentBinding.identity_id) == identity_id,
                col(Department.active).is_(True),
            )
        )
    ).scalar_one_or_none()


async def bind_department(
    session: AsyncSession, *, department_id: int, identity: ChatIdentity, now: dt.datetime
) -> None:
    """Link a handler's chat to a department (inside the caller's transaction)."""
    assert identity.id is not None
    member = await member_of_identity(session, identity_id=identity.id)
    if member is not None or identity.role == Role.STAFF:
        raise DomainError("chat_taken")
    current = (
        await session.execute(
            select(DepartmentBinding).where(col(DepartmentBinding.identity_id) == identity.id)
        )
    ).scalar_one_or_none()
    if current is not None and current.department_id != department_id:
        raise DomainError("chat_taken")
    if current is None:
        session.add(
            DepartmentBinding(
                department_id=department_id,
                channel=identity.channel,
                identity_id=identity.id,
                bound_at=now,
            )
        )
    await session.execute(
        update(ChatIdentity)
        .where(col(ChatIdentity.id) == identity.id)
        .values(role=Role.DEPARTMENT, invite_locked_until=None)
    )
    identity.role = Role.DEPARTMENT


async def department_handlers(session: AsyncSession, *, department_id: int) -> int:
    """How many chats are linked to the department."""
    rows = await session.execute(
        select(func.count())
        .select_from(DepartmentBinding)
        .where(col(DepartmentBinding.department_id) == department_id)
    )
    return int(rows.scalar_one())
