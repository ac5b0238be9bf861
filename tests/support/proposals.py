"""Proposals for tests: a member's draft sent, and one carried to the departments' answers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services.proposals.drafting import DraftInput, save_draft
from services.proposals.submission import submit_proposal
from storage.db import Database, write_transaction
from storage.enums import Adoption, ProposalState
from storage.models import Department, Handling, Proposal, Suggestion
from tests.support.members import NOW, TZ, member_by_code
from tests.support.notices import notifier

SUGGESTIONS = ("加装电梯", "改造雨污管网", "增设停车位")


async def member_id(db: Database, code: str) -> int:
    member = await member_by_code(db, code)
    assert member.id is not None
    return member.id


async def written(
    db: Database, code: str = "M001", *, cosigners: tuple[str, ...] = (), submit: bool = True
) -> int:
    """A proposal by member ``code`` with three items; sent unless ``submit`` is False."""
    author = await member_id(db, code)
    draft = DraftInput(
        title="关于加快老旧小区改造的提案",
        situation="老旧小区设施陈旧。",
        suggestions=SUGGESTIONS,
        cosigner_ids=tuple([await member_id(db, c) for c in cosigners]),
    )
    async with db.session() as session:
        proposal = await save_draft(session, member_id=author, draft=draft, now=NOW, tz=TZ)
        assert proposal.id is not None
        if submit:
            await submit_proposal(
                session, member_id=author, proposal_id=proposal.id, notifier=notifier(),
                now=NOW, tz=TZ,
            )  # fmt: skip
        return proposal.id


async def departments(db: Database, count: int = 2) -> list[int]:
    async with db.session() as session:
        rows = await session.execute(select(Department.id).order_by(Department.id).limit(count))
        return [row for row in rows.scalars() if row is not None]


async def answered(db: Database, proposal_id: int, *, now: dt.datetime = NOW) -> list[int]:
    """Register, assign to two departments and answer every item: the proposal is answered."""
    lead, co = await departments(db)
    async with db.session() as session, write_transaction(session):
        proposal = await session.get(Proposal, proposal_id)
        assert proposal is not None
        proposal.state = ProposalState.ANSWERED
        proposal.number = f"{proposal.year}-T-{proposal_id:04d}"
        proposal.handling_round = 1
        proposal.answered_at = now
        items = await session.execute(
            select(Suggestion.id).where(Suggestion.proposal_id == proposal_id)
        )
        for suggestion_id in items.scalars():
            for department_id in (lead, co):
                session.add(
                    Handling(
                        suggestion_id=suggestion_id or 0,
                        department_id=department_id,
                        lead=department_id == lead,
                        round=1,
                        assigned_at=now,
                        due_at=now + dt.timedelta(days=90),
                        answer="已纳入年度计划。",
                        adoption=Adoption.ADOPTED,
                        answered_at=now,
                        answered_by="科长",
                    )
                )
    return [lead, co]
