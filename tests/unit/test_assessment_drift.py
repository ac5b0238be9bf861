"""A roster change the ledger does not count still reaches the member's total before a read."""

from __future__ import annotations

from services.assessment.ledger import ensure_ledger
from services.members.rules import RuleBook
from storage.db import Database, write_transaction
from storage.models import Member
from tests.support.assessment_ledger import BOOK, TZ, YEAR, members, rebuild, totals


async def _change(db: Database, member_id: int, **values: object) -> None:
    async with db.session() as session, write_transaction(session):
        member = await session.get(Member, member_id)
        assert member is not None
        for name, value in values.items():
            setattr(member, name, value)


async def _ensure(db: Database, book: RuleBook = BOOK) -> None:
    async with db.session() as session, write_transaction(session):
        await ensure_ledger(session, year=YEAR, rules=book.for_year(YEAR), tz=TZ)


async def test_suspension_office_and_group_changes_reach_the_total(db: Database) -> None:
    ids = await members(db)
    await rebuild(db)
    before = {row.subject_id: row for row in await totals(db)}
    assert before[ids["M002"]].ranked and before[ids["M003"]].group_code != "office"

    await _change(db, ids["M002"], status="suspended")
    await _change(db, ids["M003"], office=True, assessment_group="local")
    await _change(db, ids["M004"], assessment_group="hkmo")
    await _ensure(db)

    after = {row.subject_id: row for row in await totals(db)}
    assert not after[ids["M002"]].ranked
    assert after[ids["M003"]].group_code == "office"
    assert after[ids["M004"]].group_code == "hkmo"
    # The rest are untouched.
    assert after[ids["M001"]] == before[ids["M001"]]

    await _change(db, ids["M002"], status="active")
    await _ensure(db)
    assert {row.subject_id: row for row in await totals(db)}[ids["M002"]].ranked
