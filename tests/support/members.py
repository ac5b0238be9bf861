"""Members for tests: the sample roster, an invitation, a bound chat."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.demo.data import DEMO_DATA_PATH
from services.members.roster import ImportReport, import_roster
from services.members.roster_files import read_rows
from services.members.rules import RuleBook, Rules
from storage.db import Database
from storage.models import Member

SAMPLE_ROSTER = DEMO_DATA_PATH.parent / "members_sample.csv"
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
# The committee's time zone, as the settings give it.
TZ = ZoneInfo("Asia/Shanghai")


async def import_sample(
    db: Database, path: Path = SAMPLE_ROSTER, *, rules: Rules | None = None
) -> ImportReport:
    """Import a roster file under ``rules`` (default: the bundled rules of ``NOW``'s year)."""
    rules = rules or RuleBook().for_year(NOW.year)
    async with db.session() as session:
        return await import_roster(session, read_rows(path), now=NOW, rules=rules)


async def member_by_code(db: Database, code: str) -> Member:
    async with db.session() as session:
        return (await session.execute(select(Member).where(Member.code == code))).scalar_one()
