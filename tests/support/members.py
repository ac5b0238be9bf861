"""Members for tests: the sample roster, an invitation, a bound chat."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from services.demo.data import DEMO_DATA_PATH
from services.members.roster import ImportReport, import_roster
from services.members.roster_files import read_rows
from storage.db import Database
from storage.models import Member

SAMPLE_ROSTER = DEMO_DATA_PATH.parent / "members_sample.csv"
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


async def import_sample(db: Database, path: Path = SAMPLE_ROSTER) -> ImportReport:
    async with db.session() as session:
        return await import_roster(session, read_rows(path), now=NOW)


async def member_by_code(db: Database, code: str) -> Member:
    async with db.session() as session:
        return (await session.execute(select(Member).where(Member.code == code))).scalar_one()
