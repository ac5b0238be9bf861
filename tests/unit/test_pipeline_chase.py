"""The chase list: stuck outcome suggestions, proposals waiting, departments past due."""

from __future__ import annotations

import datetime as dt

from services.pipeline.chase import chase_list, months_after, months_before
from services.pipeline.config import PipelineRules
from storage.db import Database
from tests.support.members import NOW
from tests.support.pipeline_fixtures import department, handling, member_ids, outcome, proposal

DAY = dt.timedelta(days=1)


def test_months_before_and_after_keep_the_calendar() -> None:
    moment = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC)
    assert months_before(moment, 1) == dt.datetime(2026, 2, 28, 9, 0, tzinfo=dt.UTC)
    assert months_before(moment, 3) == dt.datetime(2025, 12, 31, 9, 0, tzinfo=dt.UTC)
    assert months_after(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)


async def test_chase_list_content(roster: Database) -> None:
    ids = await member_ids(roster)
    late = await department(roster, "late")
    answered = await department(roster, "answered")
    timely = await department(roster, "timely")
    _oid, (formed, submitted, reviewed, assigned, not_due, handled) = await outcome(
        roster,
        number="2026-C-0001",
        stages=[
            ("formed", NOW - 120 * DAY),  # stuck: more than three months
            ("submitted", NOW - 30 * DAY),  # recent
            ("reviewed", NOW - 100 * DAY),  # stuck
            ("assigned", NOW - 10 * DAY),  # past its due date below
            ("assigned", NOW - 10 * DAY),  # due later
            ("handled", NOW - 200 * DAY),  # the department's part is done
        ],
    )
    await handling(roster, [assigned], late, due_at=NOW - DAY)
    await handling(roster, [not_due], timely, due_at=NOW + 10 * DAY)
    await handling(roster, [handled], answered, due_at=NOW - 90 * DAY, answered_at=NOW - 95 * DAY)
    _pid, items = await proposal(
        roster, member_id=ids["M001"], number="2026-T-0001", state="assigned"
    )
    await handling(roster, items, late, due_at=NOW - 5 * DAY)
    await proposal(roster, member_id=ids["M002"], number="2026-T-0002", state="submitted")
    await proposal(roster, member_id=ids["M002"], number="2026-T-0003", state="registered")
    await proposal(roster, member_id=ids["M003"], number="2026-T-0004", state="draft")

    async with roster.session() as session:
        chase = await chase_list(session, now=NOW, rules=PipelineRules())
    assert [row.suggestion_id for row in chase.stuck] == [formed, reviewed, assigned]
    assert [row.stage for row in chase.stuck] == ["formed", "reviewed", "assigned"]
    assert submitted not in {row.suggestion_id for row in chase.stuck}
    assert [(row.number, row.state) for row in chase.waiting] == [
        ("2026-T-0002", "submitted"),
        ("2026-T-0003", "registered"),
    ]
    [row] = chase.departments
    assert (row.department_id, row.proposals, row.suggestions) == (late, 1, 1)
    assert row.oldest_due == NOW - 5 * DAY
    assert not chase.empty


async def test_a_longer_chase_period_waits_longer(roster: Database) -> None:
    await outcome(roster, number="2026-C-0002", stages=[("formed", NOW - 120 * DAY)])
    async with roster.session() as session:
        chase = await chase_list(session, now=NOW, rules=PipelineRules(chase_every_months=6))
    assert chase.empty
