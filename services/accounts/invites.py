"""Invitation codes that link a chat to a member, a staff member or a department's handler.

One use, seven days, stored hashed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from limits.aio.storage import MemoryStorage, Storage
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.departments import bind_department
from services.accounts.invite_sources import InviteSource, SourceLedger
from services.accounts.staff import bind_staff
from services.audit import Actor, audit
from services.errors import DomainError
from services.members.profiles import member_of_identity
from storage.db import write_transaction
from storage.enums import MemberStatus, Role
from storage.models import (
    ChatIdentity,
    Department,
    InviteCode,
    InviteFailure,
    Member,
    MemberBinding,
    Staff,
)

INVITE_PAYLOAD = "inv-"
VALID_FOR = dt.timedelta(days=7)
FAILURES_ALLOWED = 5
FAILURE_WINDOW = dt.timedelta(hours=1)
LOCKOUT = dt.timedelta(hours=1)
# No 0/O, 1/I/L: a code read out over the phone or copied by hand survives.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


@dataclass(frozen=True)
class IssuedInvite:
    """A fresh code (shown once, never stored) and when it expires."""

    code: str
    expires_at: dt.datetime

    @property
    def payload(self) -> str:
        """The deep-link payload, ``inv-<code>``."""
        return f"{INVITE_PAYLOAD}{self.code}"


def source_ledger(storage: Storage | None = None) -> SourceLedger:
    """A ledger counting wrong codes by client address, with the same limits as a chat's.

    Its counts live in ``storage``: this process's memory unless the caller shares another.
    """
    return SourceLedger(
        storage or MemoryStorage(), allowed=FAILURES_ALLOWED, window=FAILURE_WINDOW, lockout=LOCKOUT
    )


def hash_code(code: str) -> str:
    """The stored form of a code; typing is forgiving about case, spaces and dashes."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


async def issue_invite(
    session: AsyncSession,
    *,
    now: dt.datetime,
    member_id: int | None = None,
    staff_id: int | None = None,
    department_id: int | None = None,
    issued_by: str = "cli",
) -> IssuedInvite:
    """Create a code for a member, a staff member or a department's handler.

    Earlier unused codes of a member or staff member stop working; a department may hand
    out several codes at once, one for each of its handlers.
    """
    if sum(owner is not None for owner in (member_id, staff_id, department_id)) != 1:
        raise ValueError("an invitation is for one member, staff member or department")
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    async with write_transaction(session):
        if member_id is not None:
            if await session.get(Member, member_id) is None:
                raise DomainError("member_unknown")
            owner = col(InviteCode.member_id) == member_id
        elif staff_id is not None:
            if await session.get(Staff, staff_id) is None:
                raise DomainError("staff_unknown")
            owner = col(InviteCode.staff_id) == staff_id
            # A staff code grants the desk to whoever uses it: who issued it is on record.
            audit(
                session,
                actor=Actor.cli(issued_by),
                action="staff.invite",
                object_kind="staff",
                object_id=staff_id,
                now=now,
            )
        else:
            department = await session.get(Department, department_id)
            if department is None or not department.active:
                raise DomainError("department_unknown")
            owner = None
        if owner is not None:
            await session.execute(
                delete(InviteCode).where(owner, col(InviteCode.used_at).is_(None))
            )
        session.add(
            InviteCode(
                member_id=member_id,
                staff_id=staff_id,
                department_id=department_id,
                code_hash=hash_code(code),
                issued_by=issued_by,
                created_at=now,
                expires_at=now + VALID_FOR,
            )
        )
    return IssuedInvite(code=code, expires_at=now + VALID_FOR)


async def redeem_invite(
    session: AsyncSession,
    *,
    identity: ChatIdentity,
    code: str,
    now: dt.datetime,
    source: InviteSource | None = None,
) -> Member | Staff | Department:
    """Link the chat to the code's member, staff member or department, or say why not.

    Codes: ``locked`` (with ``until``; ``by`` is ``chat`` or ``source``), ``invalid``,
    ``expired``, ``used``, ``inactive``, ``chat_taken`` (this chat belongs to another
    member). Only wrong codes count towards the lockout: an expired or used code is a real
    one, not a guess. Wrong codes count against the chat and, when the channel knows where
    the attempt came from, against that ``source`` too.
    """
    assert identity.id is not None
    if identity.invite_locked_until is not None and identity.invite_locked_until > now:
        raise DomainError("locked", until=identity.invite_locked_until, by="chat")
    if source is not None and (source_until := await source.locked_until(now)) is not None:
        raise DomainError("locked", until=source_until, by="source")
    locked_until = None
    # The failure must be committed before refusing, so the refusal comes after the block.
    async with write_transaction(session):
        invite = (
            await session.execute(
                select(InviteCode).where(col(InviteCode.code_hash) == hash_code(code))
            )
        ).scalar_one_or_none()
        if invite is None:
            locked_until = await _record_failure(session, identity, now)
    if invite is None:
        source_until = await source.record_failure(now) if source is not None else None
        if locked_until is not None:
            raise DomainError("locked", until=locked_until, by="chat")
        if source_until is not None:
            raise DomainError("locked", until=source_until, by="source")
        raise DomainError("invalid")
    if invite.used_at is not None:
        raise DomainError("used")
    if invite.expires_at <= now:
        raise DomainError("expired")
    if invite.staff_id is not None:
        return await _bind_staff(session, identity=identity, invite=invite, now=now)
    if invite.department_id is not None:
        return await _bind_department(session, identity=identity, invite=invite, now=now)
    return await _bind(session, identity=identity, invite=invite, now=now)


async def _claim(
    session: AsyncSession, invite: InviteCode, identity: ChatIdentity, now: dt.datetime
) -> None:
    """Mark the code used, once: a second redeemer racing this one finds it taken."""
    claimed = await session.execute(
        update(InviteCode)
        .where(col(InviteCode.id) == invite.id, col(InviteCode.used_at).is_(None))
        .values(used_at=now, used_by_identity_id=identity.id)
    )
    if not getattr(claimed, "rowcount", 0):
        raise DomainError("used")


async def _bind_staff(
    session: AsyncSession, *, identity: ChatIdentity, invite: InviteCode, now: dt.datetime
) -> Staff:
    assert invite.staff_id is not None
    async with write_transaction(session):
        staff = await session.get(Staff, invite.staff_id)
        if staff is None or not staff.active:
            raise DomainError("inactive")
        if await member_of_identity(session, identity_id=identity.id or 0) is not None:
            raise DomainError("chat_taken")
        if identity.role == Role.DEPARTMENT:
            raise DomainError("chat_taken")
        await _claim(session, invite, identity, now)
        await bind_staff(
            session,
            staff_id=invite.staff_id,
            identity=identity,
            now=now,
            actor=Actor("invite", invite.id, "invite code"),
        )
    return staff


async def _bind_department(
    session: AsyncSession, *, identity: ChatIdentity, invite: InviteCode, now: dt.datetime
) -> Department:
    assert invite.department_id is not None
    async with write_transaction(session):
        department = await session.get(Department, invite.department_id)
        if department is None or not department.active:
            raise DomainError("inactive")
        await _claim(session, invite, identity, now)
        await bind_department(
            session, department_id=invite.department_id, identity=identity, now=now
        )
    return department


async def _record_failure(
    session: AsyncSession, identity: ChatIdentity, now: dt.datetime
) -> dt.datetime | None:
    """Note a wrong code; lock the chat when the hour's failures pass the limit."""
    assert identity.id is not None
    session.add(InviteFailure(identity_id=identity.id, at=now))
    await session.flush()
    recent = (
        await session.execute(
            select(func.count())
            .select_from(InviteFailure)
            .where(
                col(InviteFailure.identity_id) == identity.id,
                col(InviteFailure.at) > now - FAILURE_WINDOW,
            )
        )
    ).scalar_one()
    if recent <= FAILURES_ALLOWED:
        return None
    identity.invite_locked_until = now + LOCKOUT
    await session.execute(
        update(ChatIdentity)
        .where(col(ChatIdentity.id) == identity.id)
        .values(invite_locked_until=identity.invite_locked_until)
    )
    return identity.invite_locked_until


async def _bind(
    session: AsyncSession, *, identity: ChatIdentity, invite: InviteCode, now: dt.datetime
) -> Member:
    assert identity.id is not None
    assert invite.id is not None
    assert invite.member_id is not None
    async with write_transaction(session):
        member = await session.get(Member, invite.member_id)
        assert member is not None
        assert member.id is not None
        if member.status != MemberStatus.ACTIVE:
            raise DomainError("inactive")
        current = await member_of_identity(session, identity_id=identity.id)
        if current is not None and current.id != member.id:
            raise DomainError("chat_taken")
        if identity.role in (Role.STAFF, Role.DEPARTMENT):
            raise DomainError("chat_taken")
        await _claim(session, invite, identity, now)
        # A new code moves the member's chat on this channel (a new phone, say).
        previous = (
            await session.execute(
                select(MemberBinding).where(
                    col(MemberBinding.member_id) == member.id,
                    col(MemberBinding.channel) == identity.channel,
                )
            )
        ).scalar_one_or_none()
        if previous is not None and previous.identity_id != identity.id:
            await _demote(session, previous.identity_id)
            await session.delete(previous)
            await session.flush()
        if previous is None or previous.identity_id != identity.id:
            session.add(
                MemberBinding(
                    member_id=member.id,
                    channel=identity.channel,
                    identity_id=identity.id,
                    bound_at=now,
                )
            )
        await session.execute(
            update(ChatIdentity)
            .where(col(ChatIdentity.id) == identity.id)
            .values(role=Role.MEMBER, invite_locked_until=None)
        )
    identity.role = Role.MEMBER
    return member


async def _demote(session: AsyncSession, identity_id: int) -> None:
    await session.execute(
        update(ChatIdentity).where(col(ChatIdentity.id) == identity_id).values(role=Role.RESIDENT)
    )


async def unbind(session: AsyncSession, *, member_id: int, channel: str | None = None) -> int:
    """Unlink a member's chats (on one channel, or all); return how many were unlinked."""
    async with write_transaction(session):
        stmt = select(MemberBinding).where(col(MemberBinding.member_id) == member_id)
        if channel is not None:
            stmt = stmt.where(col(MemberBinding.channel) == channel)
        bindings = (await session.execute(stmt)).scalars().all()
        for binding in bindings:
            await _demote(session, binding.identity_id)
            await session.delete(binding)
    return len(bindings)
