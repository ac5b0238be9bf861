"""Quality evaluation: who may rate which department's handling, once; the year's table."""

from __future__ import annotations

import datetime as dt

import pytest

from services.errors import DomainError
from services.pipeline.quality import department_table, pending_quality, quality_items, rate_quality
from storage.db import Database
from storage.models import Member, Sector
from tests.support.members import NOW
from tests.support.pipeline_fixtures import department, handling, member_ids, outcome, proposal

DAY = dt.timedelta(days=1)


async def test_rating_departments_and_the_table(roster: Database) -> None:
    ids = await member_ids(roster)
    housing = await department(roster, "housing-q")
    traffic = await department(roster, "traffic-q")
    _o, (key_item,) = await outcome(
        roster, number="2026-C-0001", stages=[("handled", NOW)], key=True,
        members=[ids["M001"], ids["M002"]],
    )  # fmt: skip
    _o, (plain_item,) = await outcome(
        roster, number="2026-C-0002", stages=[("handled", NOW)], members=[ids["M001"]]
    )
    await handling(roster, [key_item], housing, due_at=NOW, answered_at=NOW)
    await handling(roster, [key_item], traffic, due_at=NOW, answered_at=NOW, lead=False)
    await handling(roster, [plain_item], housing, due_at=NOW, answered_at=NOW)
    key_proposal, items = await proposal(
        roster, member_id=ids["M001"], number="2026-T-0007", state="closed", rating="key",
        cosigners=[ids["M003"]],
    )  # fmt: skip
    await handling(roster, items, traffic, due_at=NOW, answered_at=NOW)
    old_proposal, old_items = await proposal(
        roster, member_id=ids["M001"], number="2025-T-0001", state="closed", rating="key",
        year=2025,
    )  # fmt: skip
    await handling(roster, old_items, housing, due_at=NOW, answered_at=NOW)

    async with roster.session() as session:
        mine = await quality_items(session, year=2026, member_id=ids["M003"])
        pending = await pending_quality(session, year=2026)
    assert [(i.kind, i.id, i.department_id) for i in mine] == [("p", key_proposal, traffic)]
    # Two departments of the key suggestion by two members, the proposal by its two members.
    assert len(pending) == 6

    async def rate(kind: str, item: int, dep: int, member: str, value: str) -> None:
        reason = "答复敷衍" if value == "unsatisfied" else None
        async with roster.session() as session:
            await rate_quality(
                session, kind=kind, item_id=item, department_id=dep, member_id=ids[member],
                value=value, reason=reason, now=NOW,
            )  # fmt: skip

    with pytest.raises(DomainError, match="quality_unknown"):
        await rate("s", plain_item, housing, "M001", "satisfied")  # not a key outcome
    with pytest.raises(DomainError, match="quality_unknown"):
        await rate("p", key_proposal, traffic, "M002", "satisfied")  # did not take part
    with pytest.raises(DomainError, match="quality_unknown"):
        await rate("p", key_proposal, housing, "M001", "satisfied")  # not its department
    await rate("s", key_item, housing, "M001", "satisfied")
    await rate("s", key_item, housing, "M002", "basic")
    await rate("s", key_item, traffic, "M001", "unsatisfied")
    await rate("p", key_proposal, traffic, "M003", "satisfied")
    await rate("p", old_proposal, housing, "M001", "unsatisfied")  # another year
    with pytest.raises(DomainError, match="already_rated"):
        await rate("s", key_item, housing, "M001", "basic")

    async with roster.session() as session:
        table = await department_table(session, year=2026)
        assert len(await pending_quality(session, year=2026)) == 2
    assert [
        (r.name_en, r.ratings, r.satisfied, r.basic, r.unsatisfied, r.score) for r in table
    ] == [
        ("housing-q bureau", 2, 1, 1, 0, 80.0),
        ("traffic-q bureau", 2, 1, 0, 1, 50.0),
    ]


async def test_a_sectors_convenor_rates_as_its_representative(roster: Database) -> None:
    ids = await member_ids(roster)
    housing = await department(roster, "housing-r")
    _o, (key_item,) = await outcome(
        roster, number="2026-C-0003", stages=[("handled", NOW)], key=True, members=[ids["M001"]]
    )
    await handling(roster, [key_item], housing, due_at=NOW, answered_at=NOW)
    async with roster.writing() as session:
        author = await session.get(Member, ids["M001"])
        assert author is not None
        sector = await session.get(Sector, author.sector_id)
        assert sector is not None
        convenor = next(
            member_id
            for code, member_id in ids.items()
            if code != "M001" and member_id != ids["M001"]
        )
        sector.convenor_member_id = convenor
    async with roster.session() as session:
        (item,) = await quality_items(session, year=2026)
    assert item.raters == (ids["M001"], convenor)
    async with roster.session() as session:
        await rate_quality(
            session, kind="s", item_id=key_item, department_id=housing, member_id=convenor,
            value="satisfied", reason=None, now=NOW,
        )  # fmt: skip
