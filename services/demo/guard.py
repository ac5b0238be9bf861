"""Which database the demo may use: its own, never one that holds anybody's real data.

The demo lets any visitor act as a staff member, so it must never run on a database with
real residents, members or cases. The first seeding marks the database as the demo's (an
entry in the audit log, which every database has); a database without the mark is seeded
only when it holds nothing but the reference data the demo loads itself.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, select, table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.errors import DomainError
from storage.db import write_transaction
from storage.models import AuditEntry

DEMO_MARK = "demo.seed"
# What the demo (and `liaison db seed`) loads: the same rows whichever database they are in.
REFERENCE_TABLES = frozenset(
    {
        "station",
        "sector",
        "issue_category",
        "special_committee",
        "special_committee_sector",
        "department",
        "canned_reply",
        "alembic_version",
    }
)


class NotADemoDatabaseError(DomainError):
    """The database holds rows the demo did not put there; ``tables`` names where."""

    def __init__(self, tables: list[str]) -> None:
        super().__init__("not_demo_database", tables=tables)
        self.tables = tables


async def _marked(session: AsyncSession) -> bool:
    found = await session.execute(
        select(col(AuditEntry.id)).where(col(AuditEntry.action) == DEMO_MARK).limit(1)
    )
    return found.first() is not None


async def _tables_in_use(session: AsyncSession) -> list[str]:
    """Tables other than the reference data that hold at least one row."""
    connection: AsyncConnection = await session.connection()
    present = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    used = []
    # Every other table counts, those the models do not know too: someone put them there.
    for name in sorted(present - REFERENCE_TABLES):
        row = await session.execute(select(1).select_from(table(name)).limit(1))
        if row.first() is not None:
            used.append(name)
    return used


async def is_demo_database(session: AsyncSession) -> bool:
    """Whether ``liaison demo`` seeded this database."""
    return await _marked(session)


async def claim_demo_database(session: AsyncSession, *, now: dt.datetime) -> bool:
    """Mark the database as the demo's, or refuse it; whether it was marked just now.

    Raises ``NotADemoDatabaseError`` when the database is not marked and holds anything
    beyond the reference data: someone's real residents, members, cases or logs.
    """
    async with write_transaction(session):
        if await _marked(session):
            return False
        used = await _tables_in_use(session)
        if used:
            raise NotADemoDatabaseError(used)
        audit(session, actor=Actor.cli("demo"), action=DEMO_MARK, object_kind="database", now=now)
    return True


async def require_demo_database(session: AsyncSession) -> None:
    """Refuse to run demo mode on a database the demo did not seed."""
    if not await _marked(session):
        raise NotADemoDatabaseError(await _tables_in_use(session))
