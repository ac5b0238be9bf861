"""An administrator corrects a member's attendance at a closed meeting; the ledger follows."""

from __future__ import annotations

import datetime as dt

import pytest

from services.accounts.scope import StaffScope
from services.audit import Actor, list_entries
from services.errors import DomainError, NotFoundError
from services.meetings.attendance_fix import correct_attendance
from storage.db import Database
from tests.support.assessment_ledger import BOOK, TZ, close_year, meeting, members, score
from tests.support.members import NOW

BEFORE = NOW - dt.timedelta(days=20)


async def _correct(db: Database, meeting_id: int, member_id: int, **kw: object) -> None:
    values: dict[str, object] = {
        "attendance": "attended",
        "note": "Check-in failed; signed the paper list.",
        "actor": Actor.cli(),
        **kw,
    }
    async with db.session() as session:
        await correct_attendance(
            session,
            meeting_id=meeting_id,
            member_id=member_id,
            now=NOW,
            rulebook=BOOK,
            tz=TZ,
            **values,  # type: ignore[arg-type]
        )


def _item(points: object, code: str) -> int:
    return next((item.points_c for item in points.items if item.code == code), 0)  # type: ignore[attr-defined]


async def test_an_absence_corrected_to_attended_moves_the_points(db: Database) -> None:
    ids = await members(db)
    plenary = await meeting(db, "plenary", {ids["M002"]: ("attending", BEFORE, False)})
    before = await score(db, ids["M002"])
    assert _item(before, "M04") == -200 and _item(before, "M01") == 0

    await _correct(db, plenary, ids["M002"])

    after = await score(db, ids["M002"])
    assert _item(after, "M04") == 0 and _item(after, "M01") == 500
    async with db.session() as session:
        entries = await list_entries(session, action="meeting.attendance.correct")
    assert len(entries) == 1 and "absent" in (entries[0].before or "")


async def test_refusals(db: Database) -> None:
    ids = await members(db)
    plenary = await meeting(db, "plenary", {ids["M002"]: ("attending", BEFORE, False)})
    station = StaffScope(staff_id=1, name="station", admin=False, station_ids=frozenset({1}))
    refusals = [
        ({"actor": Actor("staff", 1, "station"), "scope": station}, "out_of_scope"),
        ({"attendance": "maybe"}, "attendance_value"),
        ({"note": "   "}, "note_empty"),
        ({"note": "x" * 501}, "note_length"),
    ]
    for values, code in refusals:
        with pytest.raises(DomainError, match=code):
            await _correct(db, plenary, ids["M002"], **values)
    with pytest.raises(NotFoundError) as missing:
        await _correct(db, plenary, ids["M003"])
    assert missing.value.params == {"what": "invitation"}
    await close_year(db)
    with pytest.raises(DomainError, match="year_closed"):
        await _correct(db, plenary, ids["M002"])
    assert _item(await score(db, ids["M002"]), "M04") == -200
