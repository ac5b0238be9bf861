"""After /forget and a clean stop, the erased data is nowhere on disk: not in the database
file, not in SQLite's write-ahead log or shared memory, not in the data folder.

The database tables are checked elsewhere (test_privacy.py); this reads the raw bytes, where
a deleted row lives on in free pages and in the log until they are overwritten.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.settings import Settings
from services.clock import ManualClock
from storage.db import Database
from tests.support.chat import ChatUser
from tests.support.flows import submit_report, write_report_until_review

PHONE = "13912345678"
DRAFT_PHONE = "13611112222"
CASE_AT = (38.123457, 106.654321)
DRAFT_AT = (38.234561, 106.765432)
DRAFT_WORDS = "The lift in building 7 has been stuck between floors since Monday."


def forms_of(value: str | float) -> list[bytes]:
    """How a value can sit in the files: as text (UTF-8, JSON) or as SQLite's REAL."""
    if isinstance(value, str):
        return [value.encode()]
    return [repr(value).encode(), struct.pack(">d", value)]


def files_under(*places: Path) -> list[Path]:
    found = []
    for place in places:
        if place.is_file():
            found.append(place)
        elif place.is_dir():
            found.extend(path for path in place.rglob("*") if path.is_file())
    return found


def traces(database: Path, data_dir: Path) -> list[tuple[str, str]]:
    """Which erased values stand in which file."""
    places = [database, Path(f"{database}-wal"), Path(f"{database}-shm"), data_dir]
    needles = {
        str(value): forms_of(value)
        for value in (PHONE, DRAFT_PHONE, DRAFT_WORDS, *CASE_AT, *DRAFT_AT)
    }
    found = []
    for path in files_under(*places):
        content = path.read_bytes()
        found += [
            (path.name, name) for name, forms in needles.items() if any(f in content for f in forms)
        ]
    return sorted(found)


async def test_forget_leaves_nothing_in_the_files(
    resident: ChatUser, sqlite_db: Database, settings: Settings, clock: ManualClock
) -> None:
    database = Path(str(make_url(sqlite_db.url).database))
    await submit_report(resident, location=CASE_AT, phone=PHONE)
    clock.advance(dt.timedelta(minutes=1))
    await write_report_until_review(
        resident, description=DRAFT_WORDS, location=DRAFT_AT, phone=DRAFT_PHONE
    )
    await resident.send("/mydata")
    # SQLite's own checkpoints move the pages into the database file as the log grows.
    async with sqlite_db.session() as session:
        await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    before = {name for _file, name in traces(database, settings.data_dir)}
    assert before == {PHONE, DRAFT_PHONE, DRAFT_WORDS, *map(str, (*CASE_AT, *DRAFT_AT))}

    await resident.send("/forget")
    sent = await resident.press(resident.button("Erase my data"))
    assert resident.texts(sent)[-1].startswith("Everything stored about you here was erased")
    assert traces(database, settings.data_dir) == []  # while the bot still runs
    await sqlite_db.dispose()  # the clean stop
    assert traces(database, settings.data_dir) == []
