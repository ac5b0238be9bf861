"""Rows of proposals and outcomes for pipeline tests, inserted directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from services.accounts.departments import bind_department
from services.accounts.identities import touch_identity
from storage.db import Database, write_transaction
from storage.models import (
    Department,
    Handling,
    Member,
    Outcome,
    OutcomeMember,
    Proposal,
    ProposalCosigner,
    Suggestion,
)
from tests.support.members import NOW


async def member_ids(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {m.code: m.id or 0 for m in (await session.execute(select(Member))).scalars()}


async def department(db: Database, code: str, chats: Sequence[int] = ()) -> int:
    """A department, with handlers' Telegram chats ``chats`` linked to it."""
    async with db.session() as session:
        identities = [
            await touch_identity(
                session, channel="telegram", chat_id=chat, chat_type="private", now=NOW
            )
            for chat in chats
        ]
        async with write_transaction(session):
            row = Department(
                code=code,
                name_zh=f"{code}局",
                name_en=f"{code} bureau",
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(row)
            await session.flush()
            for identity in identities:
                await bind_department(
                    session, department_id=row.id or 0, identity=identity, now=NOW
                )
        return row.id or 0


async def proposal(
    db: Database,
    *,
    member_id: int,
    number: str,
    state: str,
    items: int = 2,
    year: int = 2026,
    cosigners: Sequence[int] = (),
    **fields: object,
) -> tuple[int, list[int]]:
    """A proposal with ``items`` suggestions; returns its id and its suggestions' ids."""
    async with db.session() as session, write_transaction(session):
        row = Proposal(
            year=year,
            number=number,
            title=f"提案 {number}",
            state=state,
            member_id=member_id,
            created_at=NOW,
            updated_at=NOW,
            **fields,
        )
        session.add(row)
        await session.flush()
        for cosigner in cosigners:
            session.add(ProposalCosigner(proposal_id=row.id or 0, member_id=cosigner))
        suggestions = [
            Suggestion(proposal_id=row.id, position=n, text=f"建议 {n}", stage_at=NOW)
            for n in range(1, items + 1)
        ]
        session.add_all(suggestions)
        await session.flush()
        return row.id or 0, [s.id or 0 for s in suggestions]


async def outcome(
    db: Database,
    *,
    number: str,
    stages: Sequence[tuple[str, dt.datetime]],
    members: Sequence[int] = (),
    key: bool = False,
    year: int = 2026,
) -> tuple[int, list[int]]:
    """An outcome with one suggestion per (stage, stage_at); returns the ids."""
    async with db.session() as session, write_transaction(session):
        row = Outcome(
            year=year,
            number=number,
            title=f"成果 {number}",
            source="meeting",
            consultation="thematic",
            key=key,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(row)
        await session.flush()
        for member in members:
            session.add(OutcomeMember(outcome_id=row.id or 0, member_id=member))
        suggestions = [
            Suggestion(outcome_id=row.id, position=n, text=f"建议 {n}", stage=stage, stage_at=at)
            for n, (stage, at) in enumerate(stages, start=1)
        ]
        session.add_all(suggestions)
        await session.flush()
        return row.id or 0, [s.id or 0 for s in suggestions]


async def handling(
    db: Database,
    suggestion_ids: Sequence[int],
    department_id: int,
    *,
    due_at: dt.datetime,
    answered_at: dt.datetime | None = None,
    lead: bool = True,
) -> None:
    """The department's handling of each suggestion (round 1)."""
    async with db.session() as session, write_transaction(session):
        for suggestion_id in suggestion_ids:
            session.add(
                Handling(
                    suggestion_id=suggestion_id,
                    department_id=department_id,
                    lead=lead,
                    assigned_at=due_at - dt.timedelta(days=60),
                    due_at=due_at,
                    answered_at=answered_at,
                    answer="已办理" if answered_at else None,
                    adoption="adopted" if answered_at else None,
                )
            )
