"""Proposals waiting for the office, written straight into the tables, and the office's desks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services.accounts.departments import bind_department
from services.accounts.identities import touch_identity
from services.accounts.scope import StaffScope, scope_of
from services.accounts.staff import add_staff, bind_staff
from services.audit import Actor
from storage.db import Database, write_transaction
from storage.enums import ProposalState, StaffRole
from storage.models import Department, Member, Proposal, ProposalCosigner, Staff, Suggestion
from tests.support.members import NOW


async def member_ids(db: Database) -> dict[str, int]:
    """Members by code."""
    async with db.session() as session:
        return {m.code: m.id or 0 for m in (await session.execute(select(Member))).scalars()}


async def department_id(db: Database, code: str) -> int:
    """A department of the reference data by code."""
    async with db.session() as session:
        found = (
            await session.execute(select(Department).where(Department.code == code))
        ).scalar_one()
    return found.id or 0


async def department_codes(db: Database, count: int) -> list[str]:
    """The first ``count`` active departments' codes."""
    async with db.session() as session:
        rows = await session.execute(
            select(Department.code).where(Department.active.is_(True)).order_by(Department.code)
        )
        return list(rows.scalars())[:count]


async def submitted_proposal(
    db: Database,
    *,
    lead: str = "M001",
    cosigners: dict[str, str] | None = None,
    items: int = 3,
    year: int = 2026,
    title: str = "关于加快老旧小区改造的提案",
    state: str = ProposalState.SUBMITTED,
    created_at: dt.datetime = NOW,
) -> int:
    """A member's proposal as the member sends it: submitted, with items and invitations."""
    codes = await member_ids(db)
    async with db.session() as session, write_transaction(session):
        proposal = Proposal(
            year=year,
            title=title,
            situation="老旧小区设施老化，居民反映强烈。",
            state=state,
            member_id=codes[lead],
            author_member_id=codes[lead],
            source="chat",
            submitted_on=created_at.date(),
            created_at=created_at,
            updated_at=created_at,
        )
        session.add(proposal)
        await session.flush()
        assert proposal.id is not None
        for position in range(1, items + 1):
            session.add(
                Suggestion(
                    proposal_id=proposal.id,
                    position=position,
                    text=f"建议{position}：加装电梯与无障碍设施",
                    stage="formed",
                    stage_at=created_at,
                )
            )
        for code, answer in (cosigners or {}).items():
            session.add(
                ProposalCosigner(
                    proposal_id=proposal.id, member_id=codes[code], state=answer, invited_at=NOW
                )
            )
        return proposal.id


async def office(
    db: Database, *, role: str = StaffRole.ADMIN, name: str = "李静", chat_id: int | None = None
) -> tuple[Actor, StaffScope]:
    """A staff member (an administrator unless ``role`` says otherwise) and their scope."""
    async with db.session() as session:
        staff = await add_staff(session, name=name, role=role, now=NOW)
        if chat_id is not None:
            chat = await touch_identity(
                session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
            )
            async with write_transaction(session):
                await bind_staff(session, staff_id=staff.id or 0, identity=chat, now=NOW)
        stored = await session.get(Staff, staff.id)
        assert stored is not None
        return Actor.staff(stored), await scope_of(session, stored)


async def department_chat(db: Database, code: str, chat_id: int) -> None:
    """Bind a handler's chat to a department."""
    target = await department_id(db, code)
    async with db.session() as session:
        chat = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_department(session, department_id=target, identity=chat, now=NOW)


async def reload(db: Database, proposal_id: int) -> Proposal:
    """The proposal as stored now."""
    async with db.session() as session:
        found = await session.get(Proposal, proposal_id)
    assert found is not None
    return found
