"""The year-end summary: from the committee's 31 December 18:00 to 7 January, once a member."""

from __future__ import annotations

import datetime as dt

import pytest

from services.assessment.summaries import SUMMARY_KIND, summary_year, year_summaries
from services.members.rules import RuleBook
from services.reminders.planning import queue_dues
from storage.db import Database
from tests.support.members import TZ
from tests.support.notices import message_of, notifier, outbox

BOOK = RuleBook()


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        (local(2026, 12, 31, 17, 59), None),
        (local(2026, 12, 31, 18, 0), 2026),
        (local(2027, 1, 7, 23, 59), 2026),
        (local(2027, 1, 8, 0, 0), None),
        (local(2026, 6, 1, 12, 0), None),
    ],
)
def test_the_window(moment: dt.datetime, year: int | None) -> None:
    assert summary_year(moment, TZ) == year


async def plan(db: Database, now: dt.datetime) -> int:
    async with db.session() as session:
        dues = await year_summaries(session, now=now, tz=TZ, rulebook=BOOK)
        return await queue_dues(session, dues, notifier=notifier(), now=now)


async def test_one_summary_per_bound_member(roster: Database) -> None:
    assert await plan(roster, local(2026, 12, 31, 17, 0)) == 0
    assert await outbox(roster, SUMMARY_KIND) == []
    after = local(2026, 12, 31, 18, 30)
    assert await plan(roster, after) == 3  # M001, M002 and M003 have linked chats
    assert await plan(roster, after + dt.timedelta(hours=1)) == 0
    assert await plan(roster, local(2027, 1, 3, 9, 0)) == 0
    rows = await outbox(roster, SUMMARY_KIND)
    assert len(rows) == 3
    assert sorted(row.dedupe_key.rsplit(":", 1)[0] for row in rows) == sorted(
        f"assessment:2026:summary:{member_id}"
        for member_id in {int(r.dedupe_key.split(":")[3]) for r in rows}
    )
    assert all(not row.urgent for row in rows)
    assert all(row.expires_at is not None for row in rows)
    text = message_of(rows[0]).text
    assert "2026" in text and "points" in text
