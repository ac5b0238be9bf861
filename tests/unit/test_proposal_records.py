"""Proposals: recording, rating and importing them moves the ledger (lead and co-signers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.audit import Actor, list_entries
from services.errors import DomainError
from services.members.roster_files import read_rows, write_rows
from services.members.rules import RuleBook
from services.proposals.imports import import_proposals
from services.proposals.records import rate_proposal, record_proposal
from storage.db import Database
from storage.models import AssessmentLine, Member, Proposal
from tests.support.members import NOW, TZ

BOOK = RuleBook()
CLI = Actor.cli()
COLUMNS = ["year", "number", "title", "submitted_on", "member_code", "sector_code", "cosigners"]


async def codes(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {m.code: m.id or 0 for m in (await session.execute(select(Member))).scalars()}


async def points(db: Database, member_id: int, item: str) -> int:
    async with db.session() as session:
        total = await session.scalar(
            select(func.coalesce(func.sum(AssessmentLine.points_c), 0)).where(
                AssessmentLine.subject_id == member_id,
                AssessmentLine.subject_kind == "member",
                AssessmentLine.item_code == item,
            )
        )
        return int(total or 0)


async def test_record_and_rate(roster: Database) -> None:
    ids = await codes(roster)
    async with roster.session() as session:
        await record_proposal(
            session,
            year=2026,
            number="2026-T-0042",
            title="关于加快老旧小区改造的提案",
            submitted_on=dt.date(2026, 1, 10),
            member_id=ids["M001"],
            cosigner_ids=[ids["M002"], ids["M003"]],
            actor=CLI,
            now=NOW,
            rulebook=BOOK,
            tz=TZ,
        )
    assert await points(roster, ids["M001"], "M14") == 300
    assert await points(roster, ids["M002"], "M15") == 100
    async with roster.session() as session:
        await rate_proposal(
            session, year=2026, number="2026-T-0042", rating="excellent_key",
            actor=CLI, now=NOW, rulebook=BOOK, tz=TZ,
        )  # fmt: skip
        with pytest.raises(DomainError, match="proposal_rating"):
            await rate_proposal(
                session, year=2026, number="2026-T-0042", rating="great",
                actor=CLI, now=NOW, rulebook=BOOK, tz=TZ,
            )  # fmt: skip
        with pytest.raises(DomainError, match="proposal_unknown"):
            await rate_proposal(
                session, year=2026, number="2026-T-9999", rating="key",
                actor=CLI, now=NOW, rulebook=BOOK, tz=TZ,
            )  # fmt: skip
        assert len(await list_entries(session, action="proposal.rate")) == 1
    assert await points(roster, ids["M001"], "M16") == 1200


async def test_import_creates_updates_and_is_idempotent(roster: Database, tmp_path: Path) -> None:
    ids = await codes(roster)
    path = tmp_path / "proposals.csv"
    rows = [
        {"year": "2026", "number": "2026-T-0001", "title": "提案一", "submitted_on": "2026-01-08",
         "member_code": "M001", "cosigners": "M002、M003"},
        {"year": "2026", "number": "2026-T-0002", "title": "界别提案", "submitted_on": "2026-01-09",
         "sector_code": "cndca", "cosigners": ""},
    ]  # fmt: skip

    async def run() -> object:
        async with roster.session() as session:
            return await import_proposals(
                session, read_rows(path), actor=CLI, now=NOW, rulebook=BOOK, tz=TZ
            )

    write_rows(path, COLUMNS, rows)
    first = await run()
    assert (first.created, first.errors) == (2, [])  # type: ignore[attr-defined]
    again = await run()
    assert (again.created, again.unchanged) == (0, 2)  # type: ignore[attr-defined]
    assert await points(roster, ids["M003"], "M15") == 100
    rows[0]["cosigners"] = "M002"
    write_rows(path, COLUMNS, rows)
    changed = await run()
    assert changed.updated == 1  # type: ignore[attr-defined]
    assert await points(roster, ids["M003"], "M15") == 0
    rows.append({"year": "2026", "number": "2025-T-1", "title": "x", "submitted_on": "2026-01-01",
                 "member_code": "M404"})  # fmt: skip
    rows.append({"year": "2026", "number": "2026-T-3", "title": "x", "submitted_on": "2026-01-01",
                 "member_code": "M001", "cosigners": "M001"})  # fmt: skip
    write_rows(path, COLUMNS, rows)
    refused = await run()
    assert [n for n, _m in refused.errors] == [4, 5]  # type: ignore[attr-defined]
    async with roster.session() as session:
        assert await session.scalar(select(func.count()).select_from(Proposal)) == 2
