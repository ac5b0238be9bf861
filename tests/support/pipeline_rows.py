"""Proposals and outcome suggestions already given to departments, inserted as rows."""

from __future__ import annotations

import datetime as dt

from services.accounts.identities import touch_identity
from services.pipeline.assign import create_handlings
from storage.db import Database, write_transaction
from storage.enums import ProposalState, Stage
from storage.models import DepartmentBinding, Outcome, Proposal, Suggestion
from tests.support.members import NOW

DUE = NOW + dt.timedelta(days=30)


async def assigned_proposal(
    db: Database,
    *,
    member_id: int,
    departments: list[int],
    items: int = 3,
    due_at: dt.datetime = DUE,
    number: str = "2026-T-0042",
) -> tuple[int, list[int]]:
    """A registered proposal whose items are given to ``departments`` (the first leads)."""
    async with db.session() as session, write_transaction(session):
        proposal = Proposal(
            year=2026,
            number=number,
            title="关于加快老旧小区改造的提案",
            situation="老旧小区 <b>设施</b> 老化。",
            state=ProposalState.ASSIGNED,
            author_member_id=member_id,
            member_id=member_id,
            due_at=due_at,
            handling_round=1,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(proposal)
        await session.flush()
        suggestions = [
            Suggestion(
                proposal_id=proposal.id,
                position=n,
                text=f"建议{n}：加装电梯",
                stage="assigned",
                stage_at=NOW,
            )
            for n in range(1, items + 1)
        ]
        session.add_all(suggestions)
        await session.flush()
        ids = [s.id or 0 for s in suggestions]
        await create_handlings(
            session, suggestion_ids=ids, department_ids=departments, due_at=due_at, round=1, now=NOW
        )
        return proposal.id or 0, ids


async def assigned_suggestion(
    db: Database,
    *,
    departments: list[int],
    due_at: dt.datetime = DUE,
    number: str = "2026-C-0007",
) -> tuple[int, int]:
    """An outcome with one suggestion at the ``assigned`` stage, given to ``departments``."""
    async with db.session() as session, write_transaction(session):
        outcome = Outcome(
            year=2026,
            number=number,
            title="关于社区养老的协商成果",
            source="meeting",
            consultation="thematic",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(outcome)
        await session.flush()
        suggestion = Suggestion(
            outcome_id=outcome.id,
            position=1,
            text="建设社区食堂",
            stage=Stage.ASSIGNED,
            stage_at=NOW,
            due_at=due_at,
        )
        session.add(suggestion)
        await session.flush()
        await create_handlings(
            session,
            suggestion_ids=[suggestion.id or 0],
            department_ids=departments,
            due_at=due_at,
            round=1,
            now=NOW,
        )
        return outcome.id or 0, suggestion.id or 0


async def bind_department(db: Database, department_id: int, chat_id: int) -> None:
    """A handler's chat for the department."""
    async with db.session() as session:
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            session.add(
                DepartmentBinding(
                    department_id=department_id,
                    channel="telegram",
                    identity_id=identity.id or 0,
                    bound_at=NOW,
                )
            )
