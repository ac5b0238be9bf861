"""Broadcast audiences on SQLite and PostgreSQL: who each reaches, once, and who blocked us."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from sqlalchemy import insert, select, update
from sqlmodel import col

from services.accounts.identities import touch_identity
from services.accounts.scope import StaffScope, scope_of
from services.accounts.staff import add_staff, bind_staff
from services.broadcasts import audiences
from services.broadcasts.audiences import Audience
from services.broadcasts.subscriptions import subscribe
from services.errors import DomainError
from services.meetings.invitations import MeetingInput, create_meeting
from storage.db import Database, write_transaction
from storage.enums import AudienceKind
from storage.models import (
    ChatIdentity,
    Department,
    DepartmentBinding,
    Member,
    Resident,
    Staff,
    Station,
    StationSubscription,
)
from tests.support.members import NOW
from tests.support.notices import notifier


async def station_id(db: Database, code: str) -> int:
    async with db.session() as session:
        found = (await session.execute(select(Station.id).where(Station.code == code))).scalar_one()
    assert found is not None
    return int(found)


async def resident_chat(
    db: Database, chat_id: int, *stations: str, blocked: bool = False, channel: str = "telegram"
) -> int:
    """A resident's chat, opted in to the stations given."""
    async with db.session() as session:
        identity = await touch_identity(
            session, channel=channel, chat_id=chat_id, chat_type="private", now=NOW
        )
        assert identity.id is not None
        for code in stations:
            await subscribe(
                session, identity_id=identity.id, station_id=await station_id(db, code), now=NOW
            )
        if blocked:
            async with write_transaction(session):
                await session.execute(
                    update(ChatIdentity).where(ChatIdentity.id == identity.id).values(blocked=True)
                )
        return identity.id


async def bulk_residents(
    db: Database, count: int, station: int, *, first_chat: int, blocked: Sequence[int] = ()
) -> list[int]:
    """``count`` residents opted in to a station, written in three statements; their chat ids."""
    chats = list(range(first_chat, first_chat + count))
    blocked_set = set(blocked)
    async with db.writing() as session:
        await session.execute(
            insert(ChatIdentity),
            [
                {
                    "channel": "telegram",
                    "chat_id": chat,
                    "chat_type": "private",
                    "role": "resident",
                    "blocked": chat in blocked_set,
                    "group_notice_sent": False,
                    "created_at": NOW,
                    "last_seen_at": NOW,
                }
                for chat in chats
            ],
        )
        ids = (
            await session.execute(
                select(ChatIdentity.id).where(col(ChatIdentity.chat_id).in_(chats))
            )
        ).scalars()
        await session.execute(
            insert(Resident), [{"identity_id": i, "created_at": NOW} for i in ids]
        )
        residents = (
            await session.execute(
                select(Resident.id)
                .join(ChatIdentity, ChatIdentity.id == Resident.identity_id)
                .where(col(ChatIdentity.chat_id).in_(chats))
            )
        ).scalars()
        await session.execute(
            insert(StationSubscription),
            [{"resident_id": r, "station_id": station, "created_at": NOW} for r in residents],
        )
    return chats


async def department_chat(db: Database, chat_id: int, code: str = "housing") -> int:
    async with db.session() as session:
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            department = (
                await session.execute(select(Department).where(Department.code == code))
            ).scalar_one()
            session.add(
                DepartmentBinding(
                    department_id=department.id or 0,
                    channel="telegram",
                    identity_id=identity.id or 0,
                    bound_at=NOW,
                )
            )
    assert identity.id is not None
    return identity.id


async def station_staff(db: Database, chat_id: int, *stations: str, name: str = "马丽") -> Staff:
    ids = [await station_id(db, code) for code in stations]
    async with db.session() as session:
        staff = await add_staff(session, name=name, role="station", now=NOW, station_ids=ids)
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    return staff


async def admin(db: Database) -> Staff:
    async with db.session() as session:
        return (await session.execute(select(Staff).where(Staff.name == "王芳"))).scalar_one()


async def scope(db: Database, staff: Staff) -> StaffScope:
    async with db.session() as session:
        return await scope_of(session, staff)


async def chats(db: Database, audience: Audience, reach: StaffScope) -> list[int]:
    async with db.session() as session:
        targets = await audiences.resolve(session, audience=audience, scope=reach)
    return sorted(target.chat_id for target in targets)


async def test_members_by_sector_group_and_committee(roster: Database) -> None:
    reach = await scope(roster, await admin(roster))
    assert await chats(roster, Audience(AudienceKind.MEMBERS), reach) == [1, 2, 3]
    assert await chats(roster, Audience.parse("sector", "education"), reach) == [1]
    assert await chats(roster, Audience.parse("group", "standing"), reach) == [1]
    assert await chats(roster, Audience.parse("group", "local"), reach) == [2, 3]
    assert await chats(roster, Audience.parse("committee", "economy"), reach) == [3]
    assert await chats(roster, Audience.parse("committee", "education-health"), reach) == [1, 2]
    async with roster.writing() as session:
        await session.execute(
            update(Member).where(Member.code == "M002").values(status="suspended")
        )
    assert await chats(roster, Audience(AudienceKind.MEMBERS), reach) == [1, 3]
    with pytest.raises(DomainError, match="audience_unknown"):
        await chats(roster, Audience.parse("sector", "nowhere"), reach)
    with pytest.raises(DomainError, match="audience_unknown"):
        await chats(roster, Audience.parse("committee", "nowhere"), reach)


async def test_a_meetings_invitees(roster: Database) -> None:
    data = MeetingInput(
        kind="bimonthly",
        title="Elderly care",
        starts_at=NOW + dt.timedelta(days=3),
        ends_at=NOW + dt.timedelta(days=3, hours=2),
        venue="Hall",
        audience=["member:M002", "member:M003", "member:M004"],
    )
    async with roster.session() as session:
        meeting = await create_meeting(
            session, data=data, staff_id=None, now=NOW, notifier=notifier()
        )
    reach = await scope(roster, await admin(roster))
    assert await chats(roster, Audience.parse("meeting", str(meeting.id)), reach) == [2, 3]
    with pytest.raises(DomainError, match="audience_unknown"):
        await chats(roster, Audience.parse("meeting", "4242"), reach)


async def test_station_residents_only_when_opted_in(roster: Database) -> None:
    beian = await station_id(roster, "jf-beian")
    await resident_chat(roster, 501, "jf-beian")
    await resident_chat(roster, 502, "jf-beian", "xq-jingde", blocked=True)
    await resident_chat(roster, 503)  # never opted in
    await resident_chat(roster, 504, "xq-jingde")
    reach = await scope(roster, await admin(roster))
    station = Audience.parse("station", str(beian))
    assert await chats(roster, station, reach) == [501, 502]
    async with roster.session() as session:
        size = await audiences.count(session, audience=station, scope=reach)
    assert (size.total, size.blocked, size.reachable) == (2, 1, 1)
    async with roster.writing() as session:
        await session.execute(update(Station).where(Station.id == beian).values(active=False))
    with pytest.raises(DomainError, match="audience_unknown"):
        await chats(roster, station, reach)


async def test_department_handlers_and_everyone_distinct(roster: Database) -> None:
    await resident_chat(roster, 1, "jf-beian")  # a member who also opted in: reached once
    await resident_chat(roster, 501, "jf-beian", blocked=True)
    await resident_chat(roster, 503)
    await department_chat(roster, 601)
    await department_chat(roster, 602, "health")
    await station_staff(roster, 701, "jf-beian")
    reach = await scope(roster, await admin(roster))
    assert await chats(roster, Audience(AudienceKind.DEPARTMENTS), reach) == [601, 602]
    everyone = Audience(AudienceKind.EVERYONE)
    assert await chats(roster, everyone, reach) == [1, 2, 3, 99, 501, 601, 602, 701]
    async with roster.session() as session:
        size = await audiences.count(session, audience=everyone, scope=reach)
    assert (size.total, size.blocked) == (8, 1)


async def test_station_staff_reach_only_their_stations_residents(roster: Database) -> None:
    await resident_chat(roster, 501, "jf-beian")
    await resident_chat(roster, 504, "xq-jingde")
    mine = await scope(roster, await station_staff(roster, 701, "jf-beian"))
    beian = Audience.parse("station", str(await station_id(roster, "jf-beian")))
    jingde = Audience.parse("station", str(await station_id(roster, "xq-jingde")))
    assert await chats(roster, beian, mine) == [501]
    assert audiences.allowed(mine, beian) and not audiences.allowed(mine, jingde)
    for refused in (jingde, Audience(AudienceKind.MEMBERS), Audience(AudienceKind.EVERYONE)):
        with pytest.raises(DomainError, match="audience_out_of_scope"):
            await chats(roster, refused, mine)


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        ("nobody", "", "audience_invalid"),
        ("sector", "", "audience_invalid"),
        ("members", "x", "audience_invalid"),
        ("station", "jingde", "audience_invalid"),
        ("meeting", "", "audience_invalid"),
        ("group", "emeritus", "audience_unknown"),
    ],
)
def test_malformed_audiences(kind: str, value: str, code: str) -> None:
    with pytest.raises(DomainError, match=code):
        Audience.parse(kind, value)
