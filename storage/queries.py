"""Small query helpers that hide the differences between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """Return the Core table behind a SQLModel table class."""
    return cast(Table, inspect(model).local_table)


def _insert_for(session: AsyncSession, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {dialect}")


async def insert_ignore(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
) -> bool:
    """Insert a row unless one with the same conflict columns exists; say whether it was new."""
    stmt = _insert_for(session, table).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict_columns))
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def insert_ignore_many(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict_columns: Sequence[str],
) -> int:
    """:func:`insert_ignore` for many rows; return how many were new.

    The rows go as parameters of one statement compiled once, not as a statement built for
    each number of rows; the driver sends them in as few round trips as it can.
    """
    if not rows:
        return 0
    stmt = _insert_for(session, table).on_conflict_do_nothing(index_elements=list(conflict_columns))
    first = table.c[conflict_columns[0]]
    result = await session.execute(stmt.returning(first), list(rows))
    return len(result.all())


async def upsert_many(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict_columns: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """:func:`upsert` for many rows in one statement; no two may share the conflict columns."""
    if not rows:
        return
    stmt = _insert_for(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={name: stmt.excluded[name] for name in update_columns},
    )
    await session.execute(stmt, list(rows))


async def upsert(
    session: AsyncSession,
    table: Table,
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Insert a row, or update the given columns of the row it collides with."""
    stmt = _insert_for(session, table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={name: stmt.excluded[name] for name in update_columns},
    )
    await session.execute(stmt)


async def insert_returning_counter(
    session: AsyncSession, model: type[SQLModel], key: int, *, key_column: str = "year"
) -> int:
    """Increment a ``(key, last)`` counter row atomically and return the new value.

    One statement on both backends: the row lock (PostgreSQL) or the write lock (SQLite)
    makes concurrent callers get distinct numbers.
    """
    table = table_of(model)
    stmt = _insert_for(session, table).values({key_column: key, "last": 1})
    stmt = stmt.on_conflict_do_update(
        index_elements=[key_column], set_={"last": table.c.last + 1}
    ).returning(table.c.last)
    return int((await session.execute(stmt)).scalar_one())
