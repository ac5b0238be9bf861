"""Open cases and supporters for the "me too" tests: a case at a chosen station and place."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services.accounts import identities
from services.cases import residents as issues
from services.reference.catalog import get_station_by_code
from storage.db import Database, write_transaction
from storage.models import Issue, IssueCategory
from tests.support.factories import IssueDraftFactory
from tests.support.notices import TZ

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
LIGHT = "小区3号门的路灯坏了一个星期，晚上很黑"
LIGHT_AGAIN = "3号门路灯不亮已经一周了，晚上走路很黑"
FUMES = "楼下烧烤店油烟太大，家里不能开窗"
# Bei'an station's neighbourhood; 0.001 degree of latitude is about 111 m.
HERE = (38.48, 106.23)


async def category_id(db: Database, code: str = "facilities") -> int:
    """A category of the reference data."""
    async with db.session() as session:
        found = (
            await session.execute(select(IssueCategory).where(IssueCategory.code == code))
        ).scalar_one()
    assert found.id is not None
    return found.id


async def station_id(db: Database, code: str = "jf-beian") -> int:
    """A station of the reference data."""
    async with db.session() as session:
        found = await get_station_by_code(session, code)
    assert found is not None and found.id is not None
    return found.id


async def open_case(
    db: Database,
    description: str = LIGHT,
    *,
    chat_id: int = 700,
    station: str = "jf-beian",
    category: str = "facilities",
    place: tuple[float, float] | None = None,
    status: str = "new",
) -> Issue:
    """A case of a resident of ``chat_id``, at a station, perhaps at a place, in a status."""
    category_of = await category_id(db, category)
    station_of = await station_id(db, station)
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        assert identity.id is not None
        resident = await identities.get_or_create_resident(
            session, identity_id=identity.id, now=NOW
        )
        assert resident.id is not None
        issue = await issues.create_issue(
            session,
            resident_id=resident.id,
            draft=IssueDraftFactory.build(
                station_id=station_of,
                category_id=category_of,
                description=description,
                latitude=place[0] if place else None,
                longitude=place[1] if place else None,
            ),
            now=NOW,
            tz=TZ,
        )
        if status != issue.status:
            async with write_transaction(session):
                stored = await session.get(Issue, issue.id)
                assert stored is not None
                stored.status = status
        return issue
