"""The demo's personas in WeCom: the demo member, staff member and department contact.

With their userids named, a demo run against the fake WeCom can speak as any of them: the
first message from ``demo-member`` (and the others) links that chat as the office would.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.departments import department_by_code
from services.accounts.wecom import set_wecom_userid, wecom_person
from services.audit import Actor
from services.demo.cases import DEMO_DEPARTMENT_CODE
from services.demo.data import DEMO_MEMBER_CODE, DEMO_STAFF_NAME
from storage.models import Member, Staff

DEMO_MEMBER_USERID = "demo-member"
DEMO_STAFF_USERID = "demo-staff"
DEMO_DEPARTMENT_USERID = "demo-department"


async def seed_demo_wecom(session: AsyncSession, *, now: dt.datetime) -> int:
    """Name the personas' WeCom userids (once; a later run changes nothing); how many are named."""
    member_id = (
        await session.execute(select(col(Member.id)).where(col(Member.code) == DEMO_MEMBER_CODE))
    ).scalar_one_or_none()
    staff_id = (
        await session.execute(select(col(Staff.id)).where(col(Staff.name) == DEMO_STAFF_NAME))
    ).scalar_one_or_none()
    department = await department_by_code(session, DEMO_DEPARTMENT_CODE)
    department_id = department.id if department else None
    owners = (
        (DEMO_MEMBER_USERID, member_id, None, None),
        (DEMO_STAFF_USERID, None, staff_id, None),
        (DEMO_DEPARTMENT_USERID, None, None, department_id),
    )
    named = 0
    for userid, member, staff, unit in owners:
        if member is None and staff is None and unit is None:
            continue
        # An audit row per demo start would bury the office's own userid changes.
        if await wecom_person(session, userid=userid) is None:
            await set_wecom_userid(
                session,
                userid=userid,
                now=now,
                member_id=member,
                staff_id=staff,
                department_id=unit,
                actor=Actor.cli("demo"),
            )
        named += 1
    return named
