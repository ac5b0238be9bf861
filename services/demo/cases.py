"""Demo cases and the demo department handler, so that every persona has work on show.

A demo resident has reported three cases: one waits in the staff queue, one is assigned to
the demo member, one to the demo department. Loading them again adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts import identities
from services.accounts.departments import bind_department, department_by_code
from services.accounts.scope import StaffScope
from services.audit import Actor
from services.cases import casework
from services.cases import residents as issues
from services.cases.common import Assignee
from services.cases.residents import IssueDraft
from services.outbox.notices import Notifier
from services.reference.catalog import get_station_by_code, list_categories
from storage.db import write_transaction
from storage.models import Issue, Member

DEMO_DEPARTMENT_CODE = "housing"
DEMO_DEPARTMENT_CHAT_ID = 900_000_000_003
DEMO_RESIDENT_CHAT_ID = 900_000_000_009
# (station, category, description, who takes it: None, a member's code, or "department")
DEMO_CASES = (
    (
        "jf-beian",
        "parking",
        "北安社区3号门消防通道每晚8点后被私家车占用，救护车进不来。",
        None,
    ),
    (
        "xq-jingde",
        "facilities",
        "敬德街小学门口的路灯已经坏了一周，放学时天黑，孩子过马路不安全。",
        "M001",
    ),
    (
        "jf-yuehai",
        "property",
        "悦海湾家小区电梯经常停运，物业维修拖延，老人上下楼困难。",
        "department",
    ),
)


async def link_demo_department(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime
) -> None:
    """The demo department persona's chat, linked to the demo department (once)."""
    department = await department_by_code(session, DEMO_DEPARTMENT_CODE)
    if department is None or department.id is None:
        return
    identity = await identities.touch_identity(
        session, channel=channel, chat_id=chat_id, chat_type="private", now=now
    )
    async with write_transaction(session):
        await bind_department(session, department_id=department.id, identity=identity, now=now)


async def seed_demo_cases(
    session: AsyncSession, *, channel: str, now: dt.datetime, tz: dt.tzinfo, notifier: Notifier
) -> int:
    """Report and route the demo cases, unless the demo resident has some already."""
    identity = await identities.touch_identity(
        session, channel=channel, chat_id=DEMO_RESIDENT_CHAT_ID, chat_type="private", now=now
    )
    assert identity.id is not None
    resident = await identities.get_or_create_resident(session, identity_id=identity.id, now=now)
    existing = (
        await session.execute(
            select(col(Issue.id)).where(col(Issue.resident_id) == resident.id).limit(1)
        )
    ).first()
    if existing is not None or resident.id is None:
        return 0
    categories = {category.code: category for category in await list_categories(session)}
    office = StaffScope(staff_id=0, name="demo", admin=True, station_ids=frozenset())
    actor = Actor.cli("demo")
    created = 0
    for hours_ago, (station_code, category_code, text, taker) in enumerate(DEMO_CASES, start=1):
        station = await get_station_by_code(session, station_code)
        category = categories.get(category_code)
        if station is None or station.id is None or category is None or category.id is None:
            continue
        issue = await issues.create_issue(
            session,
            resident_id=resident.id,
            draft=IssueDraft(
                station_id=station.id, category_id=category.id, description=text, channel=channel
            ),
            now=now - dt.timedelta(hours=30 * hours_ago),
            tz=tz,
        )
        created += 1
        to = await _taker(session, taker)
        if to is not None and issue.id is not None:
            await casework.assign(
                session,
                issue_id=issue.id,
                to=to,
                due_at=None,
                scope=office,
                actor=actor,
                now=now,
                notifier=notifier,
            )
    return created


async def _taker(session: AsyncSession, taker: str | None) -> Assignee | None:
    if taker is None:
        return None
    if taker == "department":
        department = await department_by_code(session, DEMO_DEPARTMENT_CODE)
        if department is None or department.id is None:
            return None
        return Assignee("department", department.id, department.name_zh)
    member = (
        await session.execute(select(Member).where(col(Member.code) == taker))
    ).scalar_one_or_none()
    if member is None or member.id is None:
        return None
    return Assignee("member", member.id, member.name)
