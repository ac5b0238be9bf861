"""Inviting a guest to one consultation, redeeming the link, revoking it, listing the guests.

The link carries a random token (``g-<token>``); only its SHA-256 is stored. A token opens
one chat only: the chat that redeemed it may open it again, another chat is refused. A
resident's chat becomes a guest's (:data:`Role.GUEST`) while it holds a valid pass; a member,
staff or department chat keeps its role and gains the pass, reached with ``/guest``. Wrong
tokens count towards the same lockout as wrong member invitation codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.invites import FAILURE_WINDOW, FAILURES_ALLOWED, LOCKOUT
from services.audit import Actor, audit
from services.consultations.guests import guest_passes, pass_is_valid
from services.errors import DomainError
from storage.db import write_transaction
from storage.enums import GuestKind, Role
from storage.models import ChatIdentity, InviteFailure, Meeting, MeetingGuest

GUEST_PAYLOAD = "g-"
# A guest may still read the materials and the draft for a few days after the meeting.
PASS_GRACE = dt.timedelta(days=3)
NAME_MAX = 80
ORGANISATION_MAX = 120
TOKEN_BYTES = 18  # 24 URL-safe characters: the payload stays far under Telegram's 64


class GuestState(StrEnum):
    """Where a guest's invitation stands, as staff read it."""

    INVITED = "invited"
    JOINED = "joined"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class IssuedGuestPass:
    """A new guest and the token of their link (shown once, never stored)."""

    guest: MeetingGuest
    token: str

    @property
    def payload(self) -> str:
        """The deep-link payload, ``g-<token>``."""
        return f"{GUEST_PAYLOAD}{self.token}"


def hash_token(token: str) -> str:
    """The stored form of a guest token."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


def guest_state(guest: MeetingGuest, *, now: dt.datetime) -> GuestState:
    """Invited, joined, revoked or expired."""
    if guest.revoked_at is not None:
        return GuestState.REVOKED
    if guest.expires_at <= now:
        return GuestState.EXPIRED
    return GuestState.JOINED if guest.redeemed_at is not None else GuestState.INVITED


async def invite_guest(
    session: AsyncSession,
    *,
    meeting_id: int,
    name: str,
    kind: str,
    organisation: str = "",
    department_id: int | None = None,
    staff_id: int | None,
    now: dt.datetime,
    actor: Actor,
) -> IssuedGuestPass:
    """Add a guest to a meeting that has not ended; their pass lasts until a few days after.

    Codes: ``not_found`` (no such meeting), ``meeting_over`` (ended or cancelled),
    ``name_empty``, ``name_too_long``, ``organisation_too_long``, ``bad_kind``.
    """
    name, organisation = name.strip(), organisation.strip()
    if not name:
        raise DomainError("name_empty")
    if len(name) > NAME_MAX:
        raise DomainError("name_too_long", limit=NAME_MAX)
    if len(organisation) > ORGANISATION_MAX:
        raise DomainError("organisation_too_long", limit=ORGANISATION_MAX)
    if kind not in GuestKind.__members__.values():
        raise DomainError("bad_kind")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with write_transaction(session):
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None:
            raise DomainError("not_found", what="meeting")
        if meeting.cancelled_at is not None or meeting.ends_at <= now:
            raise DomainError("meeting_over")
        guest = MeetingGuest(
            meeting_id=meeting_id,
            name=name,
            kind=kind,
            organisation=organisation,
            department_id=department_id,
            token_hash=hash_token(token),
            invited_by_staff_id=staff_id,
            created_at=now,
            expires_at=meeting.ends_at + PASS_GRACE,
        )
        session.add(guest)
        await session.flush()
        audit(
            session,
            actor=actor,
            action="guest.invite",
            object_kind="meeting_guest",
            object_id=guest.id,
            after={"meeting": meeting_id, "name": name, "kind": kind},
            now=now,
        )
    return IssuedGuestPass(guest=guest, token=token)


async def redeem_guest_token(
    session: AsyncSession, *, identity: ChatIdentity, token: str, now: dt.datetime
) -> MeetingGuest:
    """Give the chat the token's guest pass, or say why not.

    Codes: ``locked`` (with ``until``), ``invalid`` (counts towards the lockout), ``revoked``,
    ``expired``, ``used`` (another chat redeemed it).
    """
    assert identity.id is not None
    if identity.invite_locked_until is not None and identity.invite_locked_until > now:
        raise DomainError("locked", until=identity.invite_locked_until, by="chat")
    locked_until: dt.datetime | None = None
    # The failure is committed before the refusal, so the refusal comes after the block.
    async with write_transaction(session):
        guest = await session.scalar(
            select(MeetingGuest).where(col(MeetingGuest.token_hash) == hash_token(token))
        )
        if guest is None:
            locked_until = await _record_failure(session, identity, now)
        elif guest.revoked_at is None and guest.expires_at > now:
            if guest.identity_id is None:
                # Claimed once: a second chat racing this one finds it taken.
                claimed = await session.execute(
                    update(MeetingGuest)
                    .where(
                        col(MeetingGuest.id) == guest.id, col(MeetingGuest.identity_id).is_(None)
                    )
                    .values(identity_id=identity.id, redeemed_at=now)
                )
                if not getattr(claimed, "rowcount", 0):
                    raise DomainError("used")
                await session.refresh(guest)
            if guest.identity_id == identity.id and identity.role == Role.RESIDENT:
                await _set_role(session, identity, Role.GUEST)
    if guest is None:
        if locked_until is not None:
            raise DomainError("locked", until=locked_until, by="chat")
        raise DomainError("invalid")
    if guest.revoked_at is not None:
        raise DomainError("revoked")
    if guest.expires_at <= now:
        raise DomainError("expired")
    if guest.identity_id != identity.id:
        raise DomainError("used")
    return guest


async def revoke_guest(
    session: AsyncSession,
    *,
    meeting_id: int,
    guest_id: int,
    now: dt.datetime,
    actor: Actor,
) -> MeetingGuest:
    """Close a guest's pass; a guest chat left with no pass is a resident's again.

    Codes: ``not_found`` (no such guest of this meeting), ``already_revoked``.
    """
    async with write_transaction(session):
        guest = await session.get(MeetingGuest, guest_id)
        if guest is None or guest.meeting_id != meeting_id:
            raise DomainError("not_found", what="guest")
        if guest.revoked_at is not None:
            raise DomainError("already_revoked")
        guest.revoked_at = now
        session.add(guest)
        await session.flush()
        if guest.identity_id is not None:
            identity = await session.get(ChatIdentity, guest.identity_id)
            still = await guest_passes(session, identity_id=guest.identity_id, now=now)
            if identity is not None and identity.role == Role.GUEST and not still:
                await _set_role(session, identity, Role.RESIDENT)
        audit(
            session,
            actor=actor,
            action="guest.revoke",
            object_kind="meeting_guest",
            object_id=guest.id,
            now=now,
        )
    return guest


async def guests_of_meeting(session: AsyncSession, *, meeting_id: int) -> list[MeetingGuest]:
    """A meeting's guests in the order they were invited."""
    rows = await session.scalars(
        select(MeetingGuest)
        .where(col(MeetingGuest.meeting_id) == meeting_id)
        .order_by(col(MeetingGuest.id))
    )
    return list(rows)


async def guest_meeting_ids(
    session: AsyncSession, *, identity_id: int, now: dt.datetime
) -> list[int]:
    """The meetings the chat's valid passes open, newest pass first, each once."""
    seen: list[int] = []
    for guest in await guest_passes(session, identity_id=identity_id, now=now):
        if pass_is_valid(guest, now=now) and guest.meeting_id not in seen:
            seen.append(guest.meeting_id)
    return seen


async def _set_role(session: AsyncSession, identity: ChatIdentity, role: Role) -> None:
    """Change the chat's role through an UPDATE, which the identity cache watches."""
    await session.execute(
        update(ChatIdentity).where(col(ChatIdentity.id) == identity.id).values(role=role)
    )
    identity.role = role


async def _record_failure(
    session: AsyncSession, identity: ChatIdentity, now: dt.datetime
) -> dt.datetime | None:
    """Note a wrong token with the wrong invitation codes; lock the chat past the limit."""
    assert identity.id is not None
    session.add(InviteFailure(identity_id=identity.id, at=now))
    await session.flush()
    recent = await session.scalar(
        select(func.count())
        .select_from(InviteFailure)
        .where(
            col(InviteFailure.identity_id) == identity.id,
            col(InviteFailure.at) > now - FAILURE_WINDOW,
        )
    )
    if (recent or 0) <= FAILURES_ALLOWED:
        return None
    identity.invite_locked_until = now + LOCKOUT
    await session.execute(
        update(ChatIdentity)
        .where(col(ChatIdentity.id) == identity.id)
        .values(invite_locked_until=identity.invite_locked_until)
    )
    return identity.invite_locked_until
