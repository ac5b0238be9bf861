"""Pipeline reminders: planned once each, to the right chats, at the right moments."""

from __future__ import annotations

import datetime as dt

from handlers.pipeline_callbacks import HandlingCB, OutcomeCB
from services.members.rules import RuleBook
from services.reminders.pipeline import pipeline_reminders
from services.reminders.planning import queue_dues
from services.reminders.settings import ReminderSettings
from storage.db import Database
from tests.support.members import NOW
from tests.support.notices import TZ, button_data, message_of, notifier, outbox
from tests.support.pipeline_fixtures import department, handling, member_ids, outcome, proposal

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
ADMIN_CHAT = 99  # 王芳, the roster's administrator
HANDLER_CHATS = [9101, 9102]


async def plan(db: Database, at: dt.datetime) -> int:
    async with db.session() as session:
        dues = await pipeline_reminders(
            session, now=at, tz=TZ, rulebook=RuleBook(), settings=ReminderSettings()
        )
        return await queue_dues(session, dues, notifier=notifier(), now=at)


async def chats(db: Database, kind: str) -> list[int]:
    return sorted(row.chat_id for row in await outbox(db, kind))


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


async def test_chase_list_once_per_period(roster: Database) -> None:
    late = await department(roster, "late")
    _oid, (item,) = await outcome(roster, number="2026-C-0001", stages=[("assigned", NOW)])
    await handling(roster, [item], late, due_at=NOW - DAY)
    before = local(dt.date(2027, 1, 1), 8)
    assert await plan(roster, before) == 0  # the period opens at 9 in the morning
    opens = local(dt.date(2027, 1, 1), 9)
    assert await plan(roster, opens) == 1
    assert await plan(roster, opens + 3 * DAY) == 0
    [row] = await outbox(roster, "pipeline-chase")
    assert row.chat_id == ADMIN_CHAT
    text = message_of(row).text
    assert "period 1 of 2027" in text and "late bureau: 0 proposals, 1 suggestions" in text
    # A week on, the period's list is not sent late; the next period brings the next one.
    assert await plan(roster, opens + 8 * DAY) == 0
    assert await plan(roster, local(dt.date(2027, 4, 1), 10)) == 1
    assert await chats(roster, "pipeline-chase") == [ADMIN_CHAT, ADMIN_CHAT]


async def test_departments_hear_of_due_and_overdue_items(roster: Database) -> None:
    ids = await member_ids(roster)
    housing = await department(roster, "housing-r", chats=HANDLER_CHATS)
    await department(roster, "bystander", chats=[9201])
    due = NOW + 2 * DAY
    pid, items = await proposal(
        roster, member_id=ids["M001"], number="2026-T-0001", state="assigned"
    )
    await handling(roster, items, housing, due_at=due)
    _oid, (item,) = await outcome(roster, number="2026-C-0001", stages=[("assigned", NOW)])
    await handling(roster, [item], housing, due_at=NOW + 20 * DAY)
    assert await plan(roster, NOW) == 2  # the proposal once (not per item), to two chats
    assert await plan(roster, NOW + HOUR) == 0
    soon = await outbox(roster, "pipeline-due-soon")
    assert sorted(r.chat_id for r in soon) == HANDLER_CHATS
    assert (
        button_data(soon[0], "Open the item") == HandlingCB(action="open", kind="p", id=pid).pack()
    )
    assert await plan(roster, due + HOUR) == 2
    assert await plan(roster, due + DAY) == 0
    assert await chats(roster, "pipeline-overdue") == HANDLER_CHATS
    assert await plan(roster, NOW + 18 * DAY) == 2  # the outcome suggestion comes due
    assert all(r.chat_id != 9201 for r in await outbox(roster))


async def test_members_reminded_to_rate_and_to_evaluate(roster: Database) -> None:
    ids = await member_ids(roster)
    housing = await department(roster, "housing-m", chats=[9101])
    _pid, items = await proposal(
        roster, member_id=ids["M001"], number="2026-T-0002", state="answered",
        answered_at=NOW - 8 * DAY, handling_round=1,
    )  # fmt: skip
    await handling(roster, items, housing, due_at=NOW - 9 * DAY, answered_at=NOW - 8 * DAY)
    _oid, (item,) = await outcome(
        roster, number="2026-C-0003", stages=[("handled", NOW)], key=True,
        members=[ids["M002"], ids["M003"]],
    )  # fmt: skip
    await handling(roster, [item], housing, due_at=NOW, answered_at=NOW)
    assert await plan(roster, NOW) == 3
    assert await plan(roster, NOW + HOUR) == 0
    assert await chats(roster, "pipeline-rate-remind") == [1]
    invitations = await outbox(roster, "pipeline-quality-rate")
    assert sorted(r.chat_id for r in invitations) == [2, 3]
    assert (
        button_data(invitations[0], "Not satisfied")
        == OutcomeCB(action="qrate", kind="s", id=item, v=f"{housing}.unsatisfied").pack()
    )


async def test_lookback_due_goes_to_the_lead_only(roster: Database) -> None:
    lead = await department(roster, "lead-l", chats=[9101])
    other = await department(roster, "other-l", chats=[9201])
    _oid, (item,) = await outcome(roster, number="2026-C-0004", stages=[("fed_back", NOW)])
    await handling(roster, [item], lead, due_at=NOW, answered_at=NOW)
    await handling(roster, [item], other, due_at=NOW, answered_at=NOW, lead=False)
    assert await plan(roster, NOW + 150 * DAY) == 0
    at = NOW + 200 * DAY
    assert await plan(roster, at) == 1
    assert await plan(roster, at + DAY) == 0
    [row] = await outbox(roster, "pipeline-lookback-due")
    assert row.chat_id == 9101
    assert (
        button_data(row, "Open the look back")
        == OutcomeCB(action="lookback", kind="s", id=item, v="due").pack()
    )
