"""Corrections: a member asks about one of their own lines, an administrator decides, all told."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from services.assessment.corrections import (
    decide_correction,
    pending_corrections,
    request_correction,
)
from services.assessment.line_sources import line_sources
from services.assessment.record import past_years
from services.assessment.scores import member_lines
from services.audit import Actor
from services.errors import DomainError, NotFoundError
from storage.db import Database
from storage.models import AuditEntry
from tests.dialog.conftest import link_office
from tests.support.assessment_ledger import (
    YEAR,
    close_year,
    entry,
    members,
    rebuild,
    staff_scope,
)
from tests.support.members import NOW
from tests.support.notices import message_of, notifier, outbox


async def a_line(db: Database, member_id: int) -> int:
    await entry(db, "M18", member_id=member_id, level="oral")
    await rebuild(db)
    async with db.session() as session:
        lines = await member_lines(session, member_id=member_id, year=YEAR)
    assert lines
    return lines[0].id


async def ask(db: Database, member_id: int, line_id: int | None, reason: str = "I spoke twice"):  # type: ignore[no-untyped-def]
    async with db.session() as session:
        return await request_correction(
            session,
            member_id=member_id,
            year=YEAR,
            line_id=line_id,
            reason=reason,
            now=NOW,
            notifier=notifier(),
        )


async def test_request_then_accept_tells_office_and_member(db: Database) -> None:
    ids = await members(db)
    await link_office(db, 8001)
    line_id = await a_line(db, ids["M002"])
    correction = await ask(db, ids["M002"], line_id, "  I spoke   twice  ")
    assert correction.reason == "I spoke twice" and correction.item_code == "M18"
    assert correction.source_kind == "entry"
    [told] = await outbox(db, "correction-request")
    assert "asks for a correction" in message_of(told).text
    with pytest.raises(DomainError, match="correction_pending"):
        await ask(db, ids["M002"], line_id)
    scope = await staff_scope(db)
    actor = Actor("staff", scope.staff_id, "Office")
    async with db.session() as session:
        [waiting] = await pending_corrections(session, scope=scope)
        assert waiting.member.id == ids["M002"] and waiting.line is not None
        decided = await decide_correction(
            session,
            correction_id=correction.id or 0,
            accept=True,
            note="",
            actor=actor,
            scope=scope,
            now=NOW,
            notifier=notifier(),
        )
        assert decided.state == "accepted" and decided.decided_by_staff_id == scope.staff_id
        with pytest.raises(DomainError, match="decided_already"):
            await decide_correction(
                session,
                correction_id=correction.id or 0,
                accept=False,
                note="no",
                actor=actor,
                scope=scope,
                now=NOW,
                notifier=notifier(),
            )
        audits = (
            (
                await session.execute(
                    select(AuditEntry).where(AuditEntry.action == "assessment.correction")
                )
            )
            .scalars()
            .all()
        )
        assert len(audits) == 1
        assert await pending_corrections(session, scope=scope) == []
    # The member's chat is not linked in this test: nothing queued, nothing lost either.
    assert await outbox(db, "correction-decision") == []


async def test_refusals(db: Database) -> None:
    ids = await members(db)
    line_id = await a_line(db, ids["M002"])
    with pytest.raises(NotFoundError):
        await ask(db, ids["M003"], line_id)  # not their line
    with pytest.raises(DomainError, match="reason_length"):
        await ask(db, ids["M002"], line_id, " ")
    with pytest.raises(DomainError, match="reason_length"):
        await ask(db, ids["M002"], line_id, "x" * 501)
    correction = await ask(db, ids["M002"], line_id)
    scope = await staff_scope(db)
    station = dataclasses.replace(scope, admin=False)
    async with db.session() as session:
        with pytest.raises(DomainError, match="out_of_scope"):
            await pending_corrections(session, scope=station)
        with pytest.raises(DomainError, match="out_of_scope"):
            await decide_correction(
                session,
                correction_id=correction.id or 0,
                accept=True,
                note="",
                actor=Actor("staff", scope.staff_id),
                scope=station,
                now=NOW,
                notifier=notifier(),
            )
        with pytest.raises(DomainError, match="note_length"):
            await decide_correction(
                session,
                correction_id=correction.id or 0,
                accept=False,
                note="",
                actor=Actor("staff", scope.staff_id),
                scope=scope,
                now=NOW,
                notifier=notifier(),
            )
        refused = await decide_correction(
            session,
            correction_id=correction.id or 0,
            accept=False,
            note="Counted once by rule",
            actor=Actor("staff", scope.staff_id),
            scope=scope,
            now=NOW,
            notifier=notifier(),
        )
        assert refused.state == "refused" and refused.staff_note == "Counted once by rule"
    await close_year(db)
    with pytest.raises(DomainError, match="year_closed"):
        await ask(db, ids["M002"], line_id, "again")


async def test_sources_and_past_years(db: Database) -> None:
    ids = await members(db)
    line_id = await a_line(db, ids["M002"])
    async with db.session() as session:
        [line] = [x for x in await member_lines(session, member_id=ids["M002"], year=YEAR)]
        sources = await line_sources(session, [(line.source_kind, line.source_id)])
        assert line.id == line_id
        assert sources[("entry", line.source_id)].title == "Entry"
        assert (await line_sources(session, [("report", 9999)]))[("report", 9999)].found is False
        assert await past_years(session, member_id=ids["M002"]) == []


async def test_closed_years_newest_first(db: Database) -> None:
    from services.assessment.record import closed_years
    from storage.db import write_transaction
    from storage.models import AssessmentYear

    async with db.session() as session, write_transaction(session):
        for year, state in ((2024, "published"), (2025, "closed"), (2026, "open")):
            session.add(AssessmentYear(year=year, state=state))
    async with db.session() as session:
        assert await closed_years(session) == [2025, 2024]
