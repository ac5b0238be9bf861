"""A plenary check-in fulfils the plenary six one, unlogged: progress, the quarter report."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from services.calendar import Quarter
from services.meetings.attendance import check_in, close_ended
from services.meetings.invitations import MeetingInput, create_meeting
from services.members.activities import ActivityInput, log_activity
from services.members.compliance import quarter_compliance
from services.members.progress import member_progress
from services.members.rules import RuleBook, Rules
from storage.db import Database
from storage.models import Meeting
from tests.support.members import NOW, member_by_code
from tests.support.notices import notifier

TZ = ZoneInfo("Asia/Shanghai")
BOOK = RuleBook()
RULES = BOOK.for_year(2026)
START_AT = NOW + dt.timedelta(days=3)
AFTER = START_AT + dt.timedelta(days=1)


async def meeting_of(db: Database, kind: str, codes: list[str]) -> Meeting:
    data = MeetingInput(
        kind=kind,
        title="The fifth session's plenary",
        starts_at=START_AT,
        ends_at=START_AT + dt.timedelta(hours=3),
        venue="Grand hall",
        audience=[f"member:{code}" for code in codes],
    )
    async with db.session() as session:
        return await create_meeting(session, data=data, staff_id=None, now=NOW, notifier=notifier())


async def member_id(db: Database, code: str) -> int:
    return (await member_by_code(db, code)).id or 0


async def done(db: Database, code: str, rules: Rules = RULES) -> set[str]:
    async with db.session() as session:
        progress = await member_progress(
            session, member_id=await member_id(db, code), rules=rules, today=AFTER.date(), tz=TZ
        )
    return {item.code for item, finished in progress.six_ones if finished}


async def report_counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await quarter_compliance(session, quarter=Quarter(2026, 4), rules=RULES, tz=TZ)
    return {row.code: row.six_ones_done for row in rows}


async def test_rules_name_the_plenary_meeting() -> None:
    [plenary] = [item for item in RULES.six_ones if item.code == "plenary"]
    assert plenary.meeting_kinds == ("plenary",)
    assert RULES.six_ones_of_meeting("plenary") == [0]
    assert RULES.six_ones_of_meeting("bimonthly") == []


async def test_a_plenary_check_in_fulfils_the_plenary(roster: Database) -> None:
    meeting = await meeting_of(roster, "plenary", ["M001", "M002"])
    async with roster.session() as session:
        await check_in(
            session,
            member_id=await member_id(roster, "M001"),
            now=START_AT,
            token=meeting.checkin_token,
        )
    assert "plenary" in await done(roster, "M001")
    # Invited but never checked in: not done.
    assert "plenary" not in await done(roster, "M002")
    counts = await report_counts(roster)
    assert (counts["M001"], counts["M002"]) == (1, 0)


async def test_attendance_recorded_at_the_close_counts_too(roster: Database) -> None:
    meeting = await meeting_of(roster, "plenary", ["M001"])
    async with roster.session() as session:
        await check_in(
            session,
            member_id=await member_id(roster, "M001"),
            now=START_AT,
            token=meeting.checkin_token,
        )
        await close_ended(session, now=meeting.ends_at, notifier=notifier())
    async with roster.session() as session:
        stored = await session.get(Meeting, meeting.id)
        assert stored is not None and stored.closed_at is not None
    assert "plenary" in await done(roster, "M001")
    assert (await report_counts(roster))["M001"] == 1


async def test_other_meeting_kinds_and_rules_without_meeting_kinds_do_not(
    roster: Database,
) -> None:
    meeting = await meeting_of(roster, "bimonthly", ["M001"])
    async with roster.session() as session:
        await check_in(
            session,
            member_id=await member_id(roster, "M001"),
            now=START_AT,
            token=meeting.checkin_token,
        )
    assert "plenary" not in await done(roster, "M001")
    plenary = await meeting_of(roster, "plenary", ["M002"])
    async with roster.session() as session:
        await check_in(
            session,
            member_id=await member_id(roster, "M002"),
            now=START_AT,
            token=plenary.checkin_token,
        )
    unlinked = RULES.model_copy(
        update={
            "six_ones": tuple(
                item.model_copy(update={"meeting_kinds": ()}) for item in RULES.six_ones
            )
        }
    )
    assert "plenary" not in await done(roster, "M002", unlinked)


async def test_a_self_logged_plenary_still_counts(roster: Database) -> None:
    member = await member_by_code(roster, "M003")
    assert member.id is not None
    async with roster.session() as session:
        await log_activity(
            session,
            member_id=member.id,
            data=ActivityInput(
                kind="plenary",
                occurred_on=dt.date(2026, 11, 19),
                sector_id=member.sector_id,
                people_count=1,
                summary="Attended the plenary session.",
            ),
            rulebook=BOOK,
            now=NOW,
            tz=TZ,
        )
    assert "plenary" in await done(roster, "M003")
    assert (await report_counts(roster))["M003"] == 1
