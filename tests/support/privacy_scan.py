"""Scanning every table for what an erasure must have removed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import SQLModel

from storage.db import Database


@dataclass(frozen=True)
class Needles:
    """What must not survive an erasure: the chat id, phone numbers, files, coordinates."""

    chat_id: int
    texts: Collection[str] = ()
    numbers: Collection[float] = ()
    all_texts: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        values = [str(self.chat_id), *self.texts, *(repr(number) for number in self.numbers)]
        self.all_texts.extend(values)

    def hit(self, value: object) -> bool:
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, int):
            return value == self.chat_id
        if isinstance(value, float):
            return any(abs(value - number) < 1e-9 for number in self.numbers)
        if isinstance(value, str):
            return any(needle in value for needle in self.all_texts)
        return False


async def leftovers(db: Database, needles: Needles) -> list[str]:
    """Every cell of every table that still holds one of the needles."""
    found = []
    async with db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in (await connection.execute(select(table))).mappings():
                found += [
                    f"{table.name}.{column}={value!r}"
                    for column, value in row.items()
                    if needles.hit(value)
                ]
    return found
