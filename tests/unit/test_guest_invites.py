"""Guest links: hashed tokens, one chat each, expiry, revocation, lockout and scope."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from services.consultations.guest_invites import (
    PASS_GRACE,
    GuestState,
    guest_meeting_ids,
    guest_state,
    guests_of_meeting,
    hash_token,
    invite_guest,
    redeem_guest_token,
    revoke_guest,
)
from services.consultations.guests import guest_of
from services.errors import DomainError
from storage.db import Database
from storage.enums import Role
from storage.models import AuditEntry, ChatIdentity, MeetingGuest
from tests.support.guests import CLI, chat, invited, upcoming_meeting
from tests.support.members import NOW


async def redeem(db: Database, chat_id: int, token: str, now: dt.datetime = NOW) -> str:
    """The guest's name, or the refusal's code."""
    identity = await chat(db, chat_id)
    async with db.session() as session:
        fresh = await session.get(ChatIdentity, identity.id)
        assert fresh is not None
        try:
            guest = await redeem_guest_token(session, identity=fresh, token=token, now=now)
        except DomainError as error:
            return error.code
        return guest.name


async def role_of(db: Database, chat_id: int) -> str:
    async with db.session() as session:
        row = await session.scalar(select(ChatIdentity).where(ChatIdentity.chat_id == chat_id))
        assert row is not None
        return row.role


async def test_only_the_hash_of_the_token_is_stored(db: Database) -> None:
    meeting_id = await upcoming_meeting(db)
    issued = await invited(db, meeting_id)
    assert issued.payload == f"g-{issued.token}"
    assert len(issued.payload) <= 64 and ":" not in issued.payload
    async with db.session() as session:
        stored = await session.get(MeetingGuest, issued.guest.id)
        assert stored is not None
        assert stored.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
        assert issued.token not in stored.token_hash
        assert hash_token(f" {issued.token} ") == stored.token_hash
        assert guest_state(stored, now=NOW) is GuestState.INVITED
        entries = (await session.scalars(select(AuditEntry))).all()
        assert [entry.action for entry in entries] == ["guest.invite"]


async def test_a_resident_chat_becomes_a_guest_and_the_token_opens_one_chat(db: Database) -> None:
    meeting_id = await upcoming_meeting(db)
    issued = await invited(db, meeting_id)
    assert await redeem(db, 501, issued.token) == "王局长"
    assert await role_of(db, 501) == Role.GUEST
    # Opening the link again from the same chat is harmless; another chat is refused.
    assert await redeem(db, 501, issued.token) == "王局长"
    assert await redeem(db, 502, issued.token) == "used"
    assert await role_of(db, 502) == Role.RESIDENT
    identity = await chat(db, 501)
    async with db.session() as session:
        assert identity.id is not None
        assert await guest_meeting_ids(session, identity_id=identity.id, now=NOW) == [meeting_id]
        guest = await guest_of(session, identity_id=identity.id, meeting_id=meeting_id, now=NOW)
        assert guest is not None and guest_state(guest, now=NOW) is GuestState.JOINED


async def test_the_pass_expires_a_few_days_after_the_meeting(db: Database) -> None:
    meeting_id = await upcoming_meeting(db, days=2)
    issued = await invited(db, meeting_id)
    assert await redeem(db, 501, issued.token) == "王局长"
    end = issued.guest.expires_at
    assert end == NOW + dt.timedelta(days=2, hours=2) + PASS_GRACE
    identity = await chat(db, 501)
    assert identity.id is not None
    async with db.session() as session:
        assert await guest_meeting_ids(session, identity_id=identity.id, now=end) == []
        guest = await session.get(MeetingGuest, issued.guest.id)
        assert guest is not None and guest_state(guest, now=end) is GuestState.EXPIRED
    late = await invited(db, meeting_id, name="李教授")
    assert await redeem(db, 503, late.token, now=end) == "expired"


async def test_a_revoked_pass_opens_nothing_and_the_chat_is_a_resident_again(
    db: Database,
) -> None:
    meeting_id = await upcoming_meeting(db)
    issued = await invited(db, meeting_id)
    assert await redeem(db, 501, issued.token) == "王局长"
    assert issued.guest.id is not None
    async with db.session() as session:
        await revoke_guest(
            session, meeting_id=meeting_id, guest_id=issued.guest.id, now=NOW, actor=CLI
        )
        with pytest.raises(DomainError) as again:
            await revoke_guest(
                session, meeting_id=meeting_id, guest_id=issued.guest.id, now=NOW, actor=CLI
            )
        assert again.value.code == "already_revoked"
        with pytest.raises(DomainError) as elsewhere:
            await revoke_guest(
                session, meeting_id=meeting_id + 1, guest_id=issued.guest.id, now=NOW, actor=CLI
            )
        assert elsewhere.value.code == "not_found"
        states = [
            guest_state(g, now=NOW) for g in await guests_of_meeting(session, meeting_id=meeting_id)
        ]
        assert states == [GuestState.REVOKED]
    assert await role_of(db, 501) == Role.RESIDENT
    assert await redeem(db, 501, issued.token) == "revoked"


async def test_wrong_tokens_lock_the_chat_out(db: Database) -> None:
    meeting_id = await upcoming_meeting(db)
    issued = await invited(db, meeting_id)
    answers = [await redeem(db, 501, f"wrong-{n}") for n in range(7)]
    assert answers[:5] == ["invalid"] * 5
    assert answers[5:] == ["locked", "locked"]
    # Even the right token waits for the lockout to pass.
    assert await redeem(db, 501, issued.token) == "locked"
    assert await redeem(db, 501, issued.token, now=NOW + dt.timedelta(hours=2)) == "王局长"


async def test_a_member_chat_keeps_its_role_and_gains_the_pass(db: Database) -> None:
    meeting_id = await upcoming_meeting(db)
    issued = await invited(db, meeting_id)
    identity = await chat(db, 501)
    async with db.session() as session:
        fresh = await session.get(ChatIdentity, identity.id)
        assert fresh is not None
        fresh.role = Role.MEMBER
        await session.commit()
    assert await redeem(db, 501, issued.token) == "王局长"
    assert await role_of(db, 501) == Role.MEMBER


async def test_a_guest_cannot_be_invited_to_a_meeting_that_is_over(db: Database) -> None:
    meeting_id = await upcoming_meeting(db, days=-3)
    with pytest.raises(DomainError) as over:
        await invited(db, meeting_id)
    assert over.value.code == "meeting_over"
    fresh = await upcoming_meeting(db, tag="b")
    async with db.session() as session:
        for name, kind, code in (
            ("", "expert", "name_empty"),
            ("x" * 81, "expert", "name_too_long"),
            ("王", "boss", "bad_kind"),
        ):
            with pytest.raises(DomainError) as refused:
                await invite_guest(
                    session,
                    meeting_id=fresh,
                    name=name,
                    kind=kind,
                    staff_id=None,
                    now=NOW,
                    actor=CLI,
                )
            assert refused.value.code == code
