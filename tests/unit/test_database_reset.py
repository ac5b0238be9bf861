"""Between tests a PostgreSQL database goes back to exactly the migrated, seeded state."""

from __future__ import annotations

from sqlalchemy import text, update
from sqlmodel import SQLModel

from storage.db import Database
from storage.models import Member, Sector
from tests.conftest import _reset_postgres
from tests.support.members import import_sample, member_by_code


async def fingerprint(db: Database) -> dict[str, object]:
    """Every table's rows, in key order, and where every sequence stands."""
    seen: dict[str, object] = {}
    async with db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            order = ", ".join(f'"{column.name}"' for column in table.primary_key) or "1"
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}'))
            seen[table.name] = [tuple(row) for row in rows]
        sequences = await connection.execute(
            text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        )
        seen["sequences"] = sorted(tuple(row) for row in sequences)
    return seen


async def test_rows_sequences_and_cycles_are_put_back(db: Database) -> None:
    if db.is_sqlite:
        return  # each SQLite test copies the seeded file; nothing is reused
    seeded = await fingerprint(db)
    await import_sample(db)
    convenor = await member_by_code(db, "M001")
    async with db.writing() as session:
        # A sector points at a member and a member at a sector: the reset must cut the loop.
        await session.execute(update(Sector).values(convenor_member_id=convenor.id))
        await session.execute(update(Member).values(name="renamed"))
    assert await fingerprint(db) != seeded

    await _reset_postgres(db)

    assert await fingerprint(db) == seeded
    await import_sample(db)
    assert (await member_by_code(db, "M001")).id == convenor.id  # identities restart too
