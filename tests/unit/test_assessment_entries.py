"""Staff entries: every refusal, the points in the ledger at once, removal, audit, scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from services.accounts.scope import StaffScope
from services.assessment.entries import add_entry, entry_items, item_total_c, remove_entry
from services.assessment.entry_errors import refusal_text
from services.audit import Actor, list_entries
from services.errors import DomainError
from services.members.rules import RuleBook
from storage.db import Database, write_transaction
from storage.models import AssessmentTotal, AssessmentYear, Member, Sector
from tests.support.members import NOW, TZ

BOOK = RuleBook()
CLI = Actor.cli()


async def ids(db: Database) -> tuple[int, int]:
    async with db.session() as session:
        member = (await session.execute(select(Member).where(Member.code == "M001"))).scalar_one()
        sector = (await session.execute(select(Sector).where(Sector.code == "cndca"))).scalar_one()
        return member.id or 0, sector.id or 0


def fields(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "year": 2026,
        "item_code": "M18",
        "level": "oral",
        "occurred_on": dt.date(2026, 3, 5),
        "title": "全会大会发言",
        "evidence": "会议纪要第3页",
        "reference": "政协〔2026〕3号",
    }
    return {**base, **changes}


async def add(db: Database, **changes: Any) -> Any:
    async with db.session() as session:
        return await add_entry(
            session,
            **fields(**changes),
            actor=changes.pop("actor", CLI) if "actor" in changes else CLI,
            scope=None,
            channel="cli",
            now=NOW,
            rulebook=BOOK,
            tz=TZ,
        )


async def test_an_entry_counts_at_once_and_removal_takes_it_back(roster: Database) -> None:
    member_id, sector_id = await ids(roster)
    entry = await add(roster, member_id=member_id)
    await add(roster, sector_id=sector_id, item_code="S05", level="", title="界别视察")
    section = BOOK.for_year(2026).assessment
    assert section is not None
    item = section.item("M18")
    assert item is not None
    async with roster.session() as session:
        assert (
            await item_total_c(
                session, year=2026, subject_kind="member", subject_id=member_id, item=item
            )
            == 600
        )
        total = await session.get(AssessmentTotal, (2026, "member", member_id))
        assert total is not None and total.total_c >= 600
        sector_total = await session.get(AssessmentTotal, (2026, "sector", sector_id))
        assert sector_total is not None and sector_total.total_c >= 300
        await remove_entry(
            session, entry_id=entry.id, actor=CLI, scope=None, now=NOW, rulebook=BOOK, tz=TZ
        )
        assert (
            await item_total_c(
                session, year=2026, subject_kind="member", subject_id=member_id, item=item
            )
            == 0
        )
        with pytest.raises(DomainError, match="not_found"):
            await remove_entry(
                session, entry_id=entry.id, actor=CLI, scope=None, now=NOW, rulebook=BOOK, tz=TZ
            )
        assert len(await list_entries(session, action="assessment.entry.add")) == 2
        assert len(await list_entries(session, action="assessment.entry.remove")) == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"item_code": "M99"}, "entry_item_unknown"),
        ({"item_code": "M01"}, "entry_item_not_staff"),
        ({"level": "loud"}, "entry_level"),
        ({"level": ""}, "entry_level"),
        ({"item_code": "S05"}, "entry_needs_sector"),
        ({"occurred_on": dt.date(2025, 12, 31)}, "entry_date_year"),
        ({"title": "  "}, "entry_title_missing"),
        ({"title": "长" * 201}, "entry_title_length"),
        ({"evidence": "x" * 2001}, "entry_evidence_length"),
        ({"quantity": 0}, "entry_quantity"),
        ({"sector_id": 1}, "entry_subject"),
    ],
)
async def test_refusals(roster: Database, changes: dict[str, Any], code: str) -> None:
    member_id, _sector = await ids(roster)
    with pytest.raises(DomainError) as caught:
        await add(roster, member_id=member_id, **changes)
    assert caught.value.code == code
    assert refusal_text(caught.value) and "Refused" not in refusal_text(caught.value)


async def test_a_points_item_takes_no_level(roster: Database) -> None:
    _member, sector_id = await ids(roster)
    with pytest.raises(DomainError, match="entry_no_level"):
        await add(roster, sector_id=sector_id, item_code="S05", level="oral")


async def test_a_closed_year_and_station_staff_are_refused(roster: Database) -> None:
    member_id, _sector = await ids(roster)
    station = StaffScope(staff_id=1, name="李", admin=False, station_ids=frozenset({1}))
    async with roster.session() as session:
        with pytest.raises(DomainError, match="out_of_scope"):
            await add_entry(
                session,
                **fields(member_id=member_id),
                actor=Actor("staff", 1, "李"),
                scope=station,
                channel="chat",
                now=NOW,
                rulebook=BOOK,
                tz=TZ,
            )
        async with write_transaction(session):
            session.add(AssessmentYear(year=2026, state="closed"))
    with pytest.raises(DomainError, match="year_closed"):
        await add(roster, member_id=member_id)


def test_entry_items_are_the_staff_entered_ones() -> None:
    section = BOOK.for_year(2026).assessment
    assert section is not None
    assert [i.code for i in entry_items(section, "member")] == ["M17", "M18", "M19", "M20"]
    assert [i.code for i in entry_items(section, "sector")] == ["S04", "S05"]
