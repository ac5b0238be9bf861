"""Load the reference and demo data shipped in ``services/data``; idempotent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.identities import touch_identity
from services.accounts.staff import add_staff, bind_staff
from services.audit import Actor
from services.cases.canned import upsert_canned
from services.clock import SystemClock
from storage.db import write_transaction
from storage.enums import Role, StaffRole
from storage.models import (
    ChatIdentity,
    Department,
    IssueCategory,
    Member,
    MemberBinding,
    Sector,
    SpecialCommittee,
    SpecialCommitteeSector,
    Staff,
    Station,
)
from storage.queries import table_of, upsert

DEMO_DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "demo_data.json"
DEMO_ROSTER_PATH = DEMO_DATA_PATH.parent / "members_sample.csv"
# The web chat's demo member persona talks as this chat, linked to the first demo member.
DEMO_MEMBER_CODE = "M001"
DEMO_MEMBER_CHAT_ID = 900_000_000_001
DEMO_STAFF_NAME = "王芳"
DEMO_STAFF_CHAT_ID = 900_000_000_002


def read_demo_data(path: Path = DEMO_DATA_PATH) -> dict[str, Any]:
    """Parse the demo data file."""
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


async def load_reference_data(
    session: AsyncSession, data: dict[str, Any], *, now: dt.datetime | None = None
) -> dict[str, int]:
    """Upsert stations, sectors, categories, committees, departments and canned replies by code.

    Returns how many of each the data holds.
    """
    for order, item in enumerate(data["stations"]):
        await upsert(
            session,
            table_of(Station),
            {
                "code": item["code"],
                "district_code": item.get("district", ""),
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "address_zh": item.get("address_zh", ""),
                "address_en": item.get("address_en", ""),
                "latitude": item.get("lat"),
                "longitude": item.get("lon"),
                "active": True,
                "sort_order": order,
            },
            conflict_columns=["code"],
            update_columns=[
                "district_code", "name_zh", "name_en", "address_zh", "address_en",
                "latitude", "longitude", "sort_order",
            ],
        )  # fmt: skip
    for order, item in enumerate(data["sectors"]):
        await upsert(
            session,
            table_of(Sector),
            {
                "code": item["code"],
                "group_no": item["group"],
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "sort_order": order,
            },
            conflict_columns=["code"],
            update_columns=["group_no", "name_zh", "name_en", "sort_order"],
        )
    for order, item in enumerate(data["issue_categories"]):
        await upsert(
            session,
            table_of(IssueCategory),
            {
                "code": item["code"],
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "due_days": item["due_days"],
                "active": True,
                "sort_order": order,
            },
            conflict_columns=["code"],
            # The due days are the office's to change (liaison categories due): kept on reseed.
            update_columns=["name_zh", "name_en", "sort_order"],
        )
    await _load_special_committees(session, data)
    stamp = now or SystemClock().now()
    for order, item in enumerate(data["departments"]):
        await upsert(
            session,
            table_of(Department),
            {
                "code": item["code"],
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "active": True,
                "sort_order": order,
                "created_at": stamp,
                "updated_at": stamp,
            },
            conflict_columns=["code"],
            update_columns=["name_zh", "name_en", "sort_order"],
        )
    canned = await upsert_canned(session)
    return {
        "stations": len(data["stations"]),
        "sectors": len(data["sectors"]),
        "issue_categories": len(data["issue_categories"]),
        "special_committees": len(data["special_committees"]),
        "departments": len(data["departments"]),
        "canned_replies": canned,
    }


async def _load_special_committees(session: AsyncSession, data: dict[str, Any]) -> None:
    """Special committees and the sectors each links."""
    for order, item in enumerate(data["special_committees"]):
        await upsert(
            session,
            table_of(SpecialCommittee),
            {
                "code": item["code"],
                "name_zh": item["name_zh"],
                "name_en": item["name_en"],
                "sort_order": order,
            },
            conflict_columns=["code"],
            update_columns=["name_zh", "name_en", "sort_order"],
        )
    committees = {c.code: c.id for c in (await session.execute(select(SpecialCommittee))).scalars()}
    sectors = {s.code: s.id for s in (await session.execute(select(Sector))).scalars()}
    for item in data["special_committees"]:
        committee_id = committees[item["code"]]
        links = (
            await session.execute(
                select(col(SpecialCommitteeSector.sector_id)).where(
                    col(SpecialCommitteeSector.committee_id) == committee_id
                )
            )
        ).scalars()
        wanted = {sectors[code] for code in item["sectors"]}
        for sector_id in wanted - set(links):
            assert committee_id is not None
            assert sector_id is not None
            session.add(SpecialCommitteeSector(committee_id=committee_id, sector_id=sector_id))
    await session.flush()


async def link_demo_member(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime
) -> None:
    """Link the demo persona's chat to the demo member (once; running it again changes nothing)."""
    member = (
        await session.execute(select(Member).where(col(Member.code) == DEMO_MEMBER_CODE))
    ).scalar_one_or_none()
    if member is None or member.id is None:
        return
    identity = await touch_identity(
        session, channel=channel, chat_id=chat_id, chat_type="private", now=now
    )
    assert identity.id is not None
    async with write_transaction(session):
        bound = (
            await session.execute(
                select(MemberBinding).where(col(MemberBinding.identity_id) == identity.id)
            )
        ).scalar_one_or_none()
        taken = (
            await session.execute(
                select(MemberBinding).where(
                    col(MemberBinding.member_id) == member.id,
                    col(MemberBinding.channel) == channel,
                )
            )
        ).scalar_one_or_none()
        if bound is None and taken is None:
            session.add(
                MemberBinding(
                    member_id=member.id, channel=channel, identity_id=identity.id, bound_at=now
                )
            )
        await session.execute(
            update(ChatIdentity).where(col(ChatIdentity.id) == identity.id).values(role=Role.MEMBER)
        )


async def link_demo_staff(
    session: AsyncSession, *, channel: str, chat_id: int, now: dt.datetime
) -> None:
    """The demo staff member and the demo persona's link to them (once)."""
    staff = (
        await session.execute(select(Staff).where(col(Staff.name) == DEMO_STAFF_NAME))
    ).scalar_one_or_none()
    if staff is None:
        staff = await add_staff(session, name=DEMO_STAFF_NAME, role=StaffRole.ADMIN, now=now)
    assert staff.id is not None
    identity = await touch_identity(
        session, channel=channel, chat_id=chat_id, chat_type="private", now=now
    )
    async with write_transaction(session):
        await bind_staff(
            session, staff_id=staff.id, identity=identity, now=now, actor=Actor.cli("demo")
        )
