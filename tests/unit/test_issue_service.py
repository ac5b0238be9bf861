"""The issue service on SQLite and PostgreSQL: numbering, validation, ownership, paging."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.accounts import identities
from services.cases import residents as issues
from services.cases.residents import IssueDraft, PhotoRef
from services.errors import DomainError
from services.reference.catalog import get_station_by_code, list_categories
from storage.db import Database
from storage.models import Attachment, Issue

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


async def make_resident(db: Database, chat_id: int) -> int:
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        assert identity.id is not None
        resident = await identities.get_or_create_resident(
            session, identity_id=identity.id, now=NOW
        )
        assert resident.id is not None
        return resident.id


async def draft(db: Database, **overrides: object) -> IssueDraft:
    async with db.session() as session:
        station = await get_station_by_code(session, "jf-beian")
        category = (await list_categories(session))[0]
    assert station is not None and station.id is not None and category.id is not None
    values: dict[str, object] = {
        "station_id": station.id,
        "category_id": category.id,
        "description": "The street light at gate 3 has been dark for a week.",
    }
    values.update(overrides)
    return IssueDraft(**values)  # type: ignore[arg-type]


async def create(db: Database, resident_id: int, now: dt.datetime = NOW, **overrides: object):  # type: ignore[no-untyped-def]
    async with db.session() as session:
        return await issues.create_issue(
            session,
            resident_id=resident_id,
            draft=await draft(db, **overrides),
            now=now,
            tz=SHANGHAI,
        )


async def test_create_stores_everything(db: Database) -> None:
    resident_id = await make_resident(db, 1)
    issue = await create(
        db,
        resident_id,
        photos=[PhotoRef("a", "ua", 10, 20, 300), PhotoRef("b")],
        latitude=38.49,
        longitude=106.24,
        contact_phone="+86 138-0013-8000",
    )
    assert issue.number == "2026-000001"
    assert issue.contact_phone == "+8613800138000" and issue.contact_consent_at == NOW
    assert issue.due_at == NOW + dt.timedelta(days=10)  # parking: 10 days
    async with db.session() as session:
        stored = (await session.execute(select(Issue))).scalar_one()
        photos = (
            (await session.execute(select(Attachment).order_by(Attachment.position)))
            .scalars()
            .all()
        )
    assert stored.created_at == NOW and stored.created_at.tzinfo is not None
    assert [(p.file_id, p.position, p.width) for p in photos] == [("a", 0, 10), ("b", 1, None)]


async def test_numbers_follow_the_committee_year(db: Database) -> None:
    resident_id = await make_resident(db, 1)
    # 2026-12-31 15:59 UTC is still 2026 in Shanghai; a minute later it is 2027 there.
    late = await create(db, resident_id, now=dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC))
    new_year = await create(db, resident_id, now=dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC))
    after = await create(db, resident_id, now=dt.datetime(2027, 1, 2, tzinfo=dt.UTC))
    assert (late.number, new_year.number, after.number) == (
        "2026-000001",
        "2027-000001",
        "2027-000002",
    )


async def test_concurrent_submissions_get_distinct_numbers(db: Database) -> None:
    resident_ids = [await make_resident(db, chat) for chat in range(10, 20)]
    created = await asyncio.gather(*(create(db, rid) for rid in resident_ids))
    assert sorted(issue.number for issue in created) == [f"2026-{n:06d}" for n in range(1, 11)]


async def test_the_same_draft_twice_is_one_case(db: Database) -> None:
    resident_id = await make_resident(db, 1)
    first = await create(db, resident_id, token="draft-1")
    second = await create(db, resident_id, token="draft-1")
    assert first.id == second.id
    other = await make_resident(db, 2)
    with pytest.raises(DomainError):
        await create(db, other, token="draft-1")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"description": "too short"}, "description_too_short"),
        ({"description": "x" * 2001}, "description_too_long"),
        ({"photos": [PhotoRef(str(n)) for n in range(4)]}, "too_many_photos"),
        ({"contact_phone": "call me"}, "phone_invalid"),
        ({"station_id": 9999}, "station_unknown"),
        ({"category_id": 9999}, "category_unknown"),
    ],
)
async def test_invalid_drafts_are_refused(
    db: Database, overrides: dict[str, object], code: str
) -> None:
    resident_id = await make_resident(db, 1)
    with pytest.raises(DomainError) as raised:
        await create(db, resident_id, **overrides)
    assert raised.value.code == code
    async with db.session() as session:
        assert (await session.execute(select(Issue))).first() is None


async def test_listing_is_paged_and_private(db: Database) -> None:
    mine = await make_resident(db, 1)
    theirs = await make_resident(db, 2)
    for minute in range(7):
        await create(db, mine, now=NOW + dt.timedelta(minutes=minute))
    foreign = await create(db, theirs)
    async with db.session() as session:
        first = await issues.list_resident_issues(session, resident_id=mine, page=0)
        second = await issues.list_resident_issues(session, resident_id=mine, page=1)
        beyond = await issues.list_resident_issues(session, resident_id=mine, page=50)
        assert foreign.id is not None
        hidden = await issues.get_resident_issue(session, resident_id=mine, issue_id=foreign.id)
        shown = await issues.get_resident_issue(session, resident_id=theirs, issue_id=foreign.id)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (7, 2, 5, 2)
    assert first.items[0].created_at > first.items[-1].created_at
    assert beyond.page == 1
    assert hidden is None
    assert shown is not None and [e.kind for e in shown.events] == ["submitted"]
