"""WeCom userids: whom each belongs to, and the link a first message makes from it.

The office names a member's, a staff member's or a department contact's userid; that
person's first message from WeCom links their chat, as an invitation code would.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.departments import bind_department
from services.accounts.identities import find_identity
from services.accounts.staff import bind_staff
from services.audit import Actor, audit
from services.chats.wecom_users import clean_userid
from services.errors import DomainError
from services.members.profiles import member_of_identity
from storage.db import write_transaction
from storage.enums import MemberStatus, Role
from storage.models import (
    ChatIdentity,
    Department,
    Member,
    MemberBinding,
    Staff,
    WeComPerson,
)

WECOM = "wecom"
# The system binding a chat by its userid, as the audit log names it.
WECOM_ACTOR = Actor("system", None, "wecom userid")


async def set_wecom_userid(
    session: AsyncSession,
    *,
    userid: str,
    now: dt.datetime,
    member_id: int | None = None,
    staff_id: int | None = None,
    department_id: int | None = None,
    actor: Actor | None = None,
) -> str:
    """Name the WeCom userid of one member, staff member or department contact; audited.

    A member or staff member has one userid: a new one replaces the old. A userid belongs to
    one person: naming it for another is refused (``wecom_userid_taken``).
    """
    if sum(owner is not None for owner in (member_id, staff_id, department_id)) != 1:
        raise ValueError("a userid is for one member, staff member or department")
    userid = clean_userid(userid)
    async with write_transaction(session):
        if member_id is not None and await session.get(Member, member_id) is None:
            raise DomainError("member_unknown")
        if staff_id is not None and await session.get(Staff, staff_id) is None:
            raise DomainError("staff_unknown")
        if department_id is not None and await session.get(Department, department_id) is None:
            raise DomainError("department_unknown")
        current = await session.get(WeComPerson, userid)
        owner = (current.member_id, current.staff_id, current.department_id) if current else None
        if owner is not None and owner != (member_id, staff_id, department_id):
            raise DomainError("wecom_userid_taken")
        if current is None:
            if member_id is not None:
                await session.execute(
                    delete(WeComPerson).where(col(WeComPerson.member_id) == member_id)
                )
            if staff_id is not None:
                await session.execute(
                    delete(WeComPerson).where(col(WeComPerson.staff_id) == staff_id)
                )
            session.add(
                WeComPerson(
                    userid=userid,
                    member_id=member_id,
                    staff_id=staff_id,
                    department_id=department_id,
                    created_at=now,
                )
            )
        kind, object_id = (
            ("member", member_id)
            if member_id is not None
            else ("staff", staff_id)
            if staff_id is not None
            else ("department", department_id)
        )
        audit(
            session,
            actor=actor or Actor.cli(),
            action="wecom.userid",
            object_kind=kind,
            object_id=object_id,
            after={"userid": userid},
            now=now,
        )
    return userid


async def clear_wecom_userid(
    session: AsyncSession, *, userid: str, now: dt.datetime, actor: Actor | None = None
) -> bool:
    """Forget whom ``userid`` belongs to; audited. False if no one had it.

    A chat the userid already linked stays linked: unlinking a person is its own action.
    """
    userid = clean_userid(userid)
    async with write_transaction(session):
        person = await session.get(WeComPerson, userid)
        if person is None:
            return False
        kind, object_id = (
            ("member", person.member_id)
            if person.member_id is not None
            else ("staff", person.staff_id)
            if person.staff_id is not None
            else ("department", person.department_id)
        )
        await session.delete(person)
        audit(
            session,
            actor=actor or Actor.cli(),
            action="wecom.userid_clear",
            object_kind=kind,
            object_id=object_id,
            before={"userid": userid},
            now=now,
        )
    return True


async def wecom_person(session: AsyncSession, *, userid: str) -> WeComPerson | None:
    """Whom a userid belongs to, or None."""
    return await session.get(WeComPerson, userid)


async def link_wecom_chat(
    session: AsyncSession, *, chat_id: int, userid: str, now: dt.datetime
) -> str | None:
    """Link the chat of ``userid`` to whoever the userid belongs to, if it is not linked yet.

    Returns what the chat became (``member``, ``staff``, ``department``), or None when
    nothing changed: an unknown userid, a chat already linked, an inactive person. Audited.
    """
    person = await session.get(WeComPerson, userid)
    if person is None:
        return None
    identity = await find_identity(session, channel=WECOM, chat_id=chat_id)
    if identity is not None and identity.role != Role.RESIDENT:
        return None
    async with write_transaction(session):
        identity = await find_identity(session, channel=WECOM, chat_id=chat_id)
        if identity is None:
            identity = ChatIdentity(
                channel=WECOM,
                chat_id=chat_id,
                chat_type="private",
                role=Role.RESIDENT,
                created_at=now,
                last_seen_at=now,
            )
            session.add(identity)
            await session.flush()
        if identity.role != Role.RESIDENT:
            return None
        if person.staff_id is not None:
            staff = await session.get(Staff, person.staff_id)
            if staff is None or not staff.active:
                return None
            await bind_staff(
                session, staff_id=person.staff_id, identity=identity, now=now, actor=WECOM_ACTOR
            )
            return "staff"
        if person.department_id is not None:
            department = await session.get(Department, person.department_id)
            if department is None or not department.active:
                return None
            await bind_department(
                session, department_id=person.department_id, identity=identity, now=now
            )
            audit(
                session,
                actor=WECOM_ACTOR,
                action="department.bind",
                object_kind="department",
                object_id=person.department_id,
                after={"channel": WECOM, "identity": identity.id},
                now=now,
            )
            return "department"
        assert person.member_id is not None
        if not await _bind_member(session, person.member_id, identity, now):
            return None
        return "member"


async def _bind_member(
    session: AsyncSession, member_id: int, identity: ChatIdentity, now: dt.datetime
) -> bool:
    """Link the chat to the member, moving the member's earlier WeCom chat, as a code does."""
    assert identity.id is not None
    member = await session.get(Member, member_id)
    if member is None or member.status != MemberStatus.ACTIVE:
        return False
    if await member_of_identity(session, identity_id=identity.id) is not None:
        return False
    previous = (
        await session.execute(
            select(MemberBinding).where(
                col(MemberBinding.member_id) == member_id, col(MemberBinding.channel) == WECOM
            )
        )
    ).scalar_one_or_none()
    if previous is not None:
        await session.execute(
            update(ChatIdentity)
            .where(col(ChatIdentity.id) == previous.identity_id)
            .values(role=Role.RESIDENT)
        )
        await session.delete(previous)
        await session.flush()
    session.add(
        MemberBinding(member_id=member_id, channel=WECOM, identity_id=identity.id, bound_at=now)
    )
    await session.execute(
        update(ChatIdentity)
        .where(col(ChatIdentity.id) == identity.id)
        .values(role=Role.MEMBER, invite_locked_until=None)
    )
    audit(
        session,
        actor=WECOM_ACTOR,
        action="member.bind",
        object_kind="member",
        object_id=member_id,
        after={"channel": WECOM, "identity": identity.id},
        now=now,
    )
    return True
