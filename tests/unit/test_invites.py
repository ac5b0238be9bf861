"""Invitation codes: one use, seven days, hashed; wrong codes lock a chat out for an hour."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from time_machine import TimeMachineFixture

from services.accounts import identities
from services.accounts.invite_sources import InviteSource, address_source
from services.accounts.invites import hash_code, issue_invite, redeem_invite, source_ledger, unbind
from services.errors import DomainError
from services.members.profiles import member_of_identity
from storage.db import Database
from storage.models import ChatIdentity, InviteCode, MemberBinding
from tests.support.members import NOW, import_sample, member_by_code


async def identity(db: Database, chat_id: int, channel: str = "telegram") -> ChatIdentity:
    async with db.session() as session:
        return await identities.touch_identity(
            session, channel=channel, chat_id=chat_id, chat_type="private", now=NOW
        )


async def invite(db: Database, code: str = "M001", now: dt.datetime = NOW) -> str:
    member = await member_by_code(db, code)
    assert member.id is not None
    async with db.session() as session:
        issued = await issue_invite(session, member_id=member.id, now=now)
    return issued.code


async def redeem(
    db: Database,
    chat: ChatIdentity,
    code: str,
    now: dt.datetime = NOW,
    source: InviteSource | None = None,
) -> str:
    async with db.session() as session:
        fresh = await session.get(ChatIdentity, chat.id)
        assert fresh is not None
        try:
            member = await redeem_invite(session, identity=fresh, code=code, now=now, source=source)
        except DomainError as error:
            if error.code == "locked":
                return f"locked-{error.params['by']}"
            return error.code
        return member.code


@pytest.fixture
async def roster(db: Database) -> Database:
    await import_sample(db)
    return db


async def test_a_code_binds_once_and_is_stored_hashed(roster: Database) -> None:
    code = await invite(roster)
    async with roster.session() as session:
        stored = (await session.execute(select(InviteCode))).scalar_one()
    assert stored.code_hash == hash_code(code) and code not in stored.code_hash
    assert stored.expires_at == NOW + dt.timedelta(days=7)
    chat = await identity(roster, 1)
    assert await redeem(roster, chat, code.lower()) == "M001"  # forgiving about case
    async with roster.session() as session:
        member = await member_of_identity(session, identity_id=chat.id or 0)
        role = (await session.get(ChatIdentity, chat.id)).role  # type: ignore[union-attr]
    assert member is not None and member.code == "M001" and role == "member"
    assert await redeem(roster, await identity(roster, 2), code) == "used"


async def test_expired_and_wrong_codes(roster: Database) -> None:
    code = await invite(roster)
    chat = await identity(roster, 1)
    later = NOW + dt.timedelta(days=7, seconds=1)
    assert await redeem(roster, chat, code, now=later) == "expired"
    assert await redeem(roster, chat, "WRONGCODE234") == "invalid"


async def test_six_wrong_codes_in_an_hour_lock_the_chat_for_an_hour(roster: Database) -> None:
    code = await invite(roster)
    chat = await identity(roster, 1)
    for minute in range(5):
        assert (
            await redeem(roster, chat, f"GUESS{minute}", now=NOW + dt.timedelta(minutes=minute))
            == "invalid"
        )
    sixth = NOW + dt.timedelta(minutes=10)
    assert await redeem(roster, chat, "GUESS6", now=sixth) == "locked-chat"
    # Even the right code is refused while locked, and does not count as a failure.
    assert await redeem(roster, chat, code, now=sixth + dt.timedelta(minutes=59)) == "locked-chat"
    assert await redeem(roster, chat, code, now=sixth + dt.timedelta(minutes=61)) == "M001"
    # Another chat was never locked.
    assert await redeem(roster, await identity(roster, 2), "GUESS7") == "invalid"


async def test_wrong_codes_spread_over_hours_do_not_lock(roster: Database) -> None:
    chat = await identity(roster, 1)
    # One every 15 minutes: never more than four within an hour.
    for step in range(10):
        moment = NOW + dt.timedelta(minutes=15 * step)
        assert await redeem(roster, chat, "NOPE", now=moment) == "invalid"


async def test_one_chat_per_channel_and_a_new_code_moves_it(roster: Database) -> None:
    telegram = await identity(roster, 1)
    web = await identity(roster, 1, channel="web")
    assert await redeem(roster, telegram, await invite(roster)) == "M001"
    assert await redeem(roster, web, await invite(roster)) == "M001"
    new_phone = await identity(roster, 3)
    assert await redeem(roster, new_phone, await invite(roster)) == "M001"
    async with roster.session() as session:
        bindings = (await session.execute(select(MemberBinding))).scalars().all()
        old = await session.get(ChatIdentity, telegram.id)
    assert sorted((b.channel, b.identity_id) for b in bindings) == sorted(
        [("telegram", new_phone.id), ("web", web.id)]
    )
    assert old is not None and old.role == "resident"


async def test_a_chat_linked_to_one_member_cannot_take_another(roster: Database) -> None:
    chat = await identity(roster, 1)
    assert await redeem(roster, chat, await invite(roster, "M001")) == "M001"
    assert await redeem(roster, chat, await invite(roster, "M002")) == "chat_taken"


async def test_suspended_members_cannot_bind_and_unbind_works(roster: Database) -> None:
    member = await member_by_code(roster, "M004")
    code = await invite(roster, "M004")
    async with roster.writing() as session:
        stored = await session.get(type(member), member.id)
        assert stored is not None
        stored.status = "suspended"
    assert await redeem(roster, await identity(roster, 1), code) == "inactive"
    chat = await identity(roster, 2)
    assert await redeem(roster, chat, await invite(roster, "M001")) == "M001"
    async with roster.session() as session:
        assert await unbind(session, member_id=(await member_by_code(roster, "M001")).id or 0) == 1
        assert await member_of_identity(session, identity_id=chat.id or 0) is None


async def test_a_new_invite_voids_the_unused_one(roster: Database) -> None:
    first = await invite(roster)
    second = await invite(roster)
    chat = await identity(roster, 1)
    assert await redeem(roster, chat, first) == "invalid"
    assert await redeem(roster, chat, second) == "M001"


async def test_wrong_codes_from_one_address_lock_it_whatever_the_chat(
    roster: Database, time_machine: TimeMachineFixture
) -> None:
    code = await invite(roster)
    ledger = source_ledger()
    here = InviteSource("web:203.0.113.7", ledger)

    async def attempt(
        chat: ChatIdentity, typed: str, moment: dt.datetime, source: InviteSource
    ) -> str:
        # The ledger's windows run on the wall clock, which follows each attempt's moment.
        time_machine.move_to(moment, tick=False)
        return await redeem(roster, chat, typed, now=moment, source=source)

    # A fresh cookie is a fresh chat each time: the address still counts every guess.
    for number in range(5):
        chat = await identity(roster, 100 + number, channel="web")
        moment = NOW + dt.timedelta(minutes=number)
        assert await attempt(chat, f"GUESS{number}", moment, here) == "invalid"
    sixth = NOW + dt.timedelta(minutes=10)
    newcomer = await identity(roster, 200, channel="web")
    assert await attempt(newcomer, "GUESS6", sixth, here) == "locked-source"
    later = sixth + dt.timedelta(minutes=30)
    assert await attempt(newcomer, code, later, here) == "locked-source"
    # Another address is not held back, and the lock ends after an hour.
    elsewhere = InviteSource("web:198.51.100.1", ledger)
    assert await attempt(newcomer, "GUESS8", later, elsewhere) == "invalid"
    free = sixth + dt.timedelta(minutes=61)
    assert await attempt(newcomer, code, free, here) == "M001"


async def test_a_locked_out_address_waits_an_hour_from_the_code_that_locked_it(
    time_machine: TimeMachineFixture,
) -> None:
    ledger = source_ledger()

    def at(moment: dt.datetime) -> dt.datetime:
        time_machine.move_to(moment, tick=False)
        return moment

    for minute in range(5):
        assert await ledger.record_failure("s", at(NOW + dt.timedelta(minutes=minute))) is None
    sixth = at(NOW + dt.timedelta(minutes=50))
    assert await ledger.record_failure("s", sixth) == sixth + dt.timedelta(hours=1)
    # The first five codes leave the hour's window before the lockout ends: it still holds.
    later = at(NOW + dt.timedelta(minutes=70))
    assert await ledger.locked_until("s", later) == sixth + dt.timedelta(hours=1)
    assert await ledger.locked_until("other", later) is None
    # Then the address starts afresh, with the whole allowance.
    free = at(sixth + dt.timedelta(hours=1))
    assert await ledger.locked_until("s", free) is None
    for _ in range(5):
        assert await ledger.record_failure("s", free) is None
    assert await ledger.record_failure("s", free) == free + dt.timedelta(hours=1)


def test_addresses_are_counted_by_network_for_ipv6() -> None:
    assert address_source("2001:db8:1:2::5") == address_source("2001:db8:1:2:ffff::9")
    assert address_source("2001:db8:1:2::5") != address_source("2001:db8:1:3::5")
    assert address_source("::ffff:203.0.113.7") == address_source("203.0.113.7") == "203.0.113.7"
    assert address_source("unknown") is None and address_source(None) is None
