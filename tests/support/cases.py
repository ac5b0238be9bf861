"""Cases for casework tests: a resident with a case, staff with a scope, assignees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound

from services.accounts import identities
from services.accounts.scope import StaffScope, scope_of
from services.accounts.staff import add_staff, bind_staff
from services.audit import Actor
from services.cases import residents as issues
from services.cases.common import Assignee
from services.reference.catalog import get_station_by_code, list_categories
from storage.db import Database, write_transaction
from storage.enums import StaffRole
from storage.models import Department, Issue, Staff
from tests.support.factories import IssueDraftFactory
from tests.support.members import import_sample, member_by_code
from tests.support.notices import TZ

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


@dataclass
class Desk:
    """A staff member as the services see them."""

    staff: Staff
    scope: StaffScope

    @property
    def actor(self) -> Actor:
        return Actor.staff(self.staff)


async def resident_of(db: Database, chat_id: int, channel: str = "telegram") -> tuple[int, int]:
    """A resident's chat identity id and resident id, made if need be."""
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel=channel, chat_id=chat_id, chat_type="private", now=NOW
        )
        assert identity.id is not None
        resident = await identities.get_or_create_resident(
            session, identity_id=identity.id, now=NOW
        )
        assert resident.id is not None
        return identity.id, resident.id


async def resident_case(
    db: Database,
    chat_id: int = 555,
    *,
    station: str = "jf-beian",
    phone: str | None = None,
    now: dt.datetime = NOW,
    description: str = "The street light at gate 3 has been dark for a week.",
) -> Issue:
    """A resident (with a Telegram chat) and a new case of theirs."""
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=now
        )
        assert identity.id is not None
        resident = await identities.get_or_create_resident(
            session, identity_id=identity.id, now=now
        )
        found = await get_station_by_code(session, station)
        category = (await list_categories(session))[0]
        assert resident.id is not None and found is not None and found.id is not None
        return await issues.create_issue(
            session,
            resident_id=resident.id,
            draft=IssueDraftFactory.build(
                station_id=found.id,
                category_id=category.id or 0,
                description=description,
                contact_phone=phone,
            ),
            now=now,
            tz=TZ,
        )


async def staff_desk(
    db: Database, *, stations: tuple[str, ...] = (), name: str = "王芳", chat_id: int | None = None
) -> Desk:
    """An administrator, or station staff of the given station codes; with a chat if given."""
    async with db.session() as session:
        ids = []
        for code in stations:
            station = await get_station_by_code(session, code)
            assert station is not None and station.id is not None
            ids.append(station.id)
        role = StaffRole.STATION if stations else StaffRole.ADMIN
        staff = await add_staff(session, name=name, role=role, now=NOW, station_ids=ids)
        if chat_id is not None:
            identity = await identities.touch_identity(
                session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
            )
            async with write_transaction(session):
                await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
        return Desk(staff, await scope_of(session, staff))


async def member_assignee(db: Database, code: str = "M001") -> Assignee:
    """A member of the sample roster (imported if needed) as an assignee."""
    try:
        member = await member_by_code(db, code)
    except NoResultFound:  # the roster is not imported yet
        await import_sample(db)
        member = await member_by_code(db, code)
    assert member.id is not None
    return Assignee("member", member.id, member.name)


async def department_assignee(db: Database, code: str = "housing") -> Assignee:
    """A department of the reference data as an assignee."""
    async with db.session() as session:
        department = (
            await session.execute(select(Department).where(Department.code == code))
        ).scalar_one()
    assert department.id is not None
    return Assignee("department", department.id, department.name_zh)


async def reload(db: Database, issue_id: int) -> Issue:
    """The case as stored now."""
    async with db.session() as session:
        issue = await session.get(Issue, issue_id)
    assert issue is not None
    return issue
