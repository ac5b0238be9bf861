"""The planner: reminders once, at the right time, late only when still useful."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col

from bot.app import AppContext, build_context
from bot.planner import Planner
from bot.settings import Settings
from services.calendar import Quarter
from services.clock import ManualClock
from services.meetings.attendance import respond
from services.meetings.invitations import MeetingInput, create_meeting
from services.outbox.queue import OutboxState
from storage.db import Database
from storage.models import Issue, Meeting, OutboxMessage
from tests.support.members import NOW, member_by_code
from tests.support.notices import message_of, notifier, outbox

START_AT = NOW + dt.timedelta(days=5)


def context(db: Database, clock: ManualClock, tmp_path: Path) -> AppContext:
    settings = Settings(
        database_url=db.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        default_locale="en",
        _env_file=None,  # type: ignore[call-arg]
    )
    return build_context(settings, db, clock)


async def keys(db: Database, kind: str | None = None) -> list[str]:
    return sorted(row.dedupe_key for row in await outbox(db, kind))


async def setup_meeting(db: Database) -> Meeting:
    data = MeetingInput(
        kind="thematic",
        title="Thematic consultation on parking",
        starts_at=START_AT,
        ends_at=START_AT + dt.timedelta(hours=2),
        venue="Committee hall",
        audience=["member:M001", "member:M002", "member:M003"],
    )
    async with db.session() as session:
        meeting = await create_meeting(
            session, data=data, staff_id=None, now=NOW, notifier=notifier()
        )
        m1 = (await member_by_code(db, "M001")).id or 0
        m3 = (await member_by_code(db, "M003")).id or 0
        await respond(
            session,
            meeting_id=meeting.id or 0,
            member_id=m1,
            attend=True,
            now=NOW,
            notifier=notifier(),
        )
        await respond(
            session,
            meeting_id=meeting.id or 0,
            member_id=m3,
            attend=False,
            reason="abroad",
            now=NOW,
            notifier=notifier(),
        )
    await deliver_invitations(db, NOW)
    return meeting


async def deliver_invitations(db: Database, at: dt.datetime) -> None:
    """What the delivery loop records once it has sent the invitations."""
    async with db.writing() as session:
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.kind) == "meeting-invitation")
            .values(state=OutboxState.SENT, sent_at=at)
        )


async def test_meeting_reminders_at_the_right_moments(roster: Database, tmp_path: Path) -> None:
    meeting = await setup_meeting(roster)
    clock = ManualClock(START_AT - dt.timedelta(days=3))
    planner = Planner(context(roster, clock, tmp_path))
    assert await planner.every_minute() == 0
    clock.set(START_AT - dt.timedelta(days=2))
    assert await planner.every_minute() == 2  # M001 attending, M002 not answered; not M003
    assert await planner.every_minute() == 0  # planned twice: queued once
    clock.set(START_AT - dt.timedelta(days=1))
    assert await planner.every_minute() == 2  # M002's nudge, the staff's list of the silent
    [nudge] = await outbox(roster, "meeting-nudge")
    assert "have not said whether you will attend" in message_of(nudge).text
    [silent] = await outbox(roster, "meeting-unanswered")
    assert "1 members have not answered" in message_of(silent).text
    assert "李文静" in message_of(silent).text
    clock.set(START_AT - dt.timedelta(hours=2))
    assert await planner.every_minute() == 2
    two_hours = [
        row for row in await outbox(roster, "meeting-reminder") if "remind-2h" in row.dedupe_key
    ]
    assert len(two_hours) == 2 and all(row.urgent for row in two_hours)
    clock.set(START_AT + dt.timedelta(minutes=1))
    assert await planner.every_minute() == 0
    assert meeting.id is not None


async def test_downtime_sends_only_the_latest_useful_reminder(
    roster: Database,
    tmp_path: Path,
) -> None:
    await setup_meeting(roster)
    clock = ManualClock(START_AT - dt.timedelta(hours=1))  # down since long before
    planner = Planner(context(roster, clock, tmp_path))
    await planner.every_minute()
    reminders = await keys(roster, "meeting-reminder")
    assert reminders and all("remind-2h" in key for key in reminders)
    assert len(await keys(roster, "meeting-nudge")) == 1  # still useful: the meeting is ahead


async def test_a_late_reminder_says_what_is_true_when_it_is_written(
    roster: Database, tmp_path: Path
) -> None:
    # Down from before the 14-days-left morning until 11 days are left: one reminder, late,
    # counting the days from the day it goes out, not from the day it was due.
    clock = ManualClock(dt.datetime(2026, 12, 20, 1, 0, tzinfo=dt.UTC))  # 09:00, 20 Dec
    planner = Planner(context(roster, clock, tmp_path))
    assert await planner.quarter_checks() == 3
    [first, *_] = await outbox(roster, "minimum-short")
    assert "12 days are left in 2026 Q4" in message_of(first).text
    assert "14 days" not in message_of(first).text
    # A meeting reminder names the start itself, never "in 2 days", so lateness cannot lie.
    await setup_meeting(roster)
    clock.set(START_AT - dt.timedelta(hours=5))
    await planner.every_minute()
    [late, *_] = await outbox(roster, "meeting-reminder")
    local_start = START_AT.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert local_start in message_of(late).text and "2 days" not in message_of(late).text


async def test_two_planners_at_once_queue_each_reminder_once(
    roster: Database,
    tmp_path: Path,
) -> None:
    await setup_meeting(roster)
    clock = ManualClock(START_AT - dt.timedelta(hours=2))
    first = Planner(context(roster, clock, tmp_path))
    second = Planner(context(roster, clock, tmp_path))
    await asyncio.gather(first.every_minute(), second.every_minute(), first.every_minute())
    rows = await outbox(roster)
    assert len({row.dedupe_key for row in rows}) == len(rows)
    assert len([row for row in rows if row.kind == "meeting-reminder"]) == 2


async def test_minimum_reminders_before_the_quarter_ends(roster: Database, tmp_path: Path) -> None:
    q4 = Quarter(2026, 4)
    morning = dt.datetime(2026, 12, 18, 1, 0, tzinfo=dt.UTC)  # 09:00 on 18 Dec in Shanghai
    clock = ManualClock(morning - dt.timedelta(minutes=1))
    planner = Planner(context(roster, clock, tmp_path))
    assert await planner.quarter_checks() == 0
    clock.set(morning)
    assert await planner.quarter_checks() == 3  # three members have a linked chat
    assert await planner.quarter_checks() == 0
    [first, *_] = await outbox(roster, "minimum-short")
    assert "14 days are left in 2026 Q4" in message_of(first).text
    clock.set(dt.datetime(2026, 12, 29, 1, 0, tzinfo=dt.UTC))  # three days before the end
    assert await planner.quarter_checks() == 3
    clock.set(dt.datetime(2027, 1, 1, 0, 59, tzinfo=dt.UTC))  # the quarter is over
    # Only the year's summaries go now, one to each of the three linked members.
    assert await planner.quarter_checks() == 3
    assert await keys(roster, "assessment-year-summary") != []
    assert len(await keys(roster, "minimum-short")) == 6
    assert q4.end == dt.date(2026, 12, 31)


async def test_staff_summary_on_the_first_day_of_a_quarter(
    roster: Database,
    tmp_path: Path,
) -> None:
    clock = ManualClock(dt.datetime(2027, 1, 1, 1, 30, tzinfo=dt.UTC))
    await Planner(context(roster, clock, tmp_path)).quarter_checks()
    [summary] = await outbox(roster, "minimum-summary")
    assert "2026 Q4: 8 of 8 active members did not meet the minimum." in message_of(summary).text


async def test_pace_warnings_on_the_first_of_the_month(roster: Database, tmp_path: Path) -> None:
    clock = ManualClock(dt.datetime(2026, 11, 1, 1, 0, tzinfo=dt.UTC))
    await Planner(context(roster, clock, tmp_path)).quarter_checks()
    rows = await outbox(roster, "pace-behind")
    assert len(rows) == 3
    assert "You have reached 0 person-times" in message_of(rows[0]).text


async def test_issue_reminders(roster: Database, tmp_path: Path, db: Database) -> None:
    from tests.unit.test_issue_service import create, make_resident

    resident_id = await make_resident(roster, 555)
    async with roster.session() as session:
        from services.accounts.identities import touch_identity

        await touch_identity(session, channel="telegram", chat_id=555, chat_type="private", now=NOW)
    issue = await create(roster, resident_id)
    clock = ManualClock(NOW + dt.timedelta(hours=23))
    planner = Planner(context(roster, clock, tmp_path))
    assert await planner.every_minute() == 0
    clock.set(NOW + dt.timedelta(hours=24))
    assert await planner.every_minute() == 1
    # Waiting since its report; a case handed back or reopened gets that moment in its key.
    assert await keys(roster, "issue-unassigned") == [f"issue:{issue.id}:unassigned:4"]
    m1 = (await member_by_code(roster, "M001")).id
    answered = NOW + dt.timedelta(days=1)
    async with roster.writing() as session:
        await session.execute(
            update(Issue).values(
                status="answered",
                answered_at=answered,
                last_reply_at=answered,
                assignee_member_id=m1,
            )
        )
    for day, expected in ((2, 0), (3, 1), (4, 0), (7, 1), (30, 0)):
        clock.set(answered + dt.timedelta(days=day))
        assert await planner.every_minute() == expected, day
    assert await keys(roster, "issue-rate") == [
        f"issue:{issue.id}:rate-3d:{int(answered.timestamp())}",
        f"issue:{issue.id}:rate-7d:{int(answered.timestamp())}",
    ]
    async with roster.writing() as session:
        await session.execute(update(Issue).values(status="assigned", answered_at=None))
        await session.execute(update(OutboxMessage).values(state="sent"))
    due = issue.due_at
    assert due is not None
    clock.set(due + dt.timedelta(hours=1))
    assert await planner.every_minute() == 1  # the assignee
    clock.set(due + dt.timedelta(days=2, hours=1))
    assert await planner.every_minute() == 1  # and staff, two days later
    [overdue] = await outbox(roster, "issue-overdue")
    assert "assigned to you, was due on" in message_of(overdue).text
    assert db is roster
