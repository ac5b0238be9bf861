"""Case reminders on assignments made through the desk's own services, on SQLite and PostgreSQL.

tests/unit/test_reminders.py moves cases with raw UPDATEs; here every change goes through
casework, case_assignee, case_answers and case_decisions as staff, members, department
handlers and residents make it, and a ManualClock walks the planner through the days after.
Recipients are checked chat by chat, so a reminder to the wrong person fails as surely as a
missing one, and every moment is planned twice, so a reminder queued twice fails too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import build_context
from bot.planner import Planner
from bot.settings import Settings
from services.accounts import identities
from services.accounts.invites import issue_invite, redeem_invite
from services.cases import answers as case_answers
from services.cases import assignee as case_assignee
from services.cases import casework
from services.cases.common import Assignee
from services.cases.decisions import decide_extension, rate_case
from services.clock import ManualClock
from storage.db import Database
from storage.enums import IssueStatus
from storage.models import Issue, OutboxMessage
from tests.support.cases import (
    NOW,
    Desk,
    department_assignee,
    member_assignee,
    reload,
    resident_case,
    staff_desk,
)
from tests.support.notices import message_of, notifier, outbox

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

RESIDENT_CHAT = 555
ADMIN_CHAT = 9001
STATION_CHAT = 9002  # station staff of jf-beian, where every case here is reported
ELSEWHERE_CHAT = 9003  # station staff of xq-jingde: must never hear of these cases
MEMBER_CHAT = 1001  # M001, the member cases are assigned to
OTHER_MEMBER_CHAT = 1002  # M002: linked, but never the assignee
HANDLER_CHATS = [9101, 9102]  # two handlers of the housing department
OTHER_HANDLER_CHAT = 9201  # a traffic-police handler
STAFF_OF_CASE = [ADMIN_CHAT, STATION_CHAT]


# --- the desk: staff, a member and a department, each with linked chats ----------------------


async def redeem_for(
    db: Database, chat_id: int, *, member_id: int | None = None, department_id: int | None = None
) -> None:
    """Link a chat the way the bot does: an invitation code, redeemed from that chat."""
    async with db.session() as session:
        identity = await identities.touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        issued = await issue_invite(
            session, member_id=member_id, department_id=department_id, now=NOW
        )
        await redeem_invite(session, identity=identity, code=issued.code, now=NOW)


@dataclass
class World:
    """The desk around the cases, the clock, and a planner reading the same database."""

    db: Database
    clock: ManualClock
    planner: Planner
    admin: Desk
    member: Assignee
    department: Assignee

    async def plan(self, at: dt.datetime) -> int:
        """Move the clock to ``at`` and run the minute's planning; how many were queued."""
        self.clock.set(at)
        return await self.planner.every_minute()

    async def chats(self, kind: str) -> list[int]:
        """The chats reminders of ``kind`` were queued for, sorted."""
        return sorted(row.chat_id for row in await outbox(self.db, kind))

    async def new_case(self) -> Issue:
        """A resident's case, reported now."""
        return await resident_case(self.db, RESIDENT_CHAT, now=self.clock.now())

    async def accept(self, issue_id: int) -> None:
        async with self.db.session() as session:
            await casework.accept(
                session,
                issue_id=issue_id,
                scope=self.admin.scope,
                actor=self.admin.actor,
                now=self.clock.now(),
                notifier=notifier(),
            )

    async def assign(
        self, issue_id: int, to: Assignee, due_at: dt.datetime | None = None
    ) -> dt.datetime:
        """Assign the case now; return its due date."""
        async with self.db.session() as session:
            issue = await casework.assign(
                session,
                issue_id=issue_id,
                to=to,
                due_at=due_at,
                scope=self.admin.scope,
                actor=self.admin.actor,
                now=self.clock.now(),
                notifier=notifier(),
            )
            assert issue.due_at is not None
            return issue.due_at

    async def reply(self, issue_id: int, text: str = "The lamp was replaced on Monday.") -> None:
        async with self.db.session() as session:
            await case_assignee.assignee_reply(
                session,
                issue_id=issue_id,
                text=text,
                assignee=self.member,
                now=self.clock.now(),
                notifier=notifier(),
            )

    async def rate(self, issue_id: int, stars: int, solved: bool) -> None:
        resident_id = (await reload(self.db, issue_id)).resident_id
        assert resident_id is not None
        async with self.db.session() as session:
            await rate_case(
                session,
                resident_id=resident_id,
                issue_id=issue_id,
                rating=stars,
                solved=solved,
                now=self.clock.now(),
                notifier=notifier(),
            )

    async def extend(self, issue_id: int, days: int) -> None:
        """The member asks for ``days`` more and the administrator grants it, both now."""
        async with self.db.session() as session:
            extension = await case_assignee.request_extension(
                session,
                issue_id=issue_id,
                days=days,
                reason="Spare parts are on order.",
                assignee=self.member,
                now=self.clock.now(),
                notifier=notifier(),
            )
            await decide_extension(
                session,
                extension_id=extension.id or 0,
                grant=True,
                scope=self.admin.scope,
                actor=self.admin.actor,
                now=self.clock.now(),
                notifier=notifier(),
            )

    async def hand_back(self, issue_id: int) -> None:
        async with self.db.session() as session:
            await case_assignee.hand_back(
                session,
                issue_id=issue_id,
                reason="Not in my sector.",
                assignee=self.member,
                now=self.clock.now(),
                notifier=notifier(),
            )


@pytest.fixture
async def world(db: Database, clock: ManualClock, tmp_path: Path) -> World:
    admin = await staff_desk(db, name="王芳", chat_id=ADMIN_CHAT)
    await staff_desk(db, stations=("jf-beian",), name="李站", chat_id=STATION_CHAT)
    await staff_desk(db, stations=("xq-jingde",), name="赵站", chat_id=ELSEWHERE_CHAT)
    member = await member_assignee(db, "M001")
    other_member = await member_assignee(db, "M002")
    await redeem_for(db, MEMBER_CHAT, member_id=member.id)
    await redeem_for(db, OTHER_MEMBER_CHAT, member_id=other_member.id)
    department = await department_assignee(db, "housing")
    for chat in HANDLER_CHATS:
        await redeem_for(db, chat, department_id=department.id)
    other_department = await department_assignee(db, "traffic-police")
    await redeem_for(db, OTHER_HANDLER_CHAT, department_id=other_department.id)
    settings = Settings(
        database_url=db.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        default_locale="en",
        _env_file=None,
    )
    planner = Planner(build_context(settings, db, clock))
    return World(db, clock, planner, admin, member, department)


def case_ids(rows: list[OutboxMessage]) -> set[int]:
    """The cases named by reminders' dedupe keys (``issue:<id>:...``)."""
    return {int(row.dedupe_key.split(":")[1]) for row in rows}


# --- (a) nobody assigned after a day ----------------------------------------------------------


async def test_cases_nobody_holds_for_a_day_are_brought_to_their_staff_once(world: World) -> None:
    untouched = await world.new_case()
    accepted = await world.new_case()
    held = await world.new_case()
    world.clock.set(NOW + HOUR)
    await world.accept(accepted.id or 0)
    await world.assign(held.id or 0, world.member)
    assert await world.plan(NOW + DAY - dt.timedelta(minutes=1)) == 0
    # Both unheld cases, to the administrator and to the station's own staff only.
    assert await world.plan(NOW + DAY) == 4
    assert await world.plan(NOW + DAY) == 0
    assert await world.plan(NOW + 3 * DAY) == 0
    rows = await outbox(world.db, "issue-unassigned")
    assert case_ids(rows) == {untouched.id, accepted.id}
    assert await world.chats("issue-unassigned") == sorted(STAFF_OF_CASE * 2)
    assert "nobody is assigned to it yet" in message_of(rows[0]).text


# --- (b) a member past the due date, then staff ------------------------------------------------


async def test_a_member_past_the_due_date_is_reminded_then_staff_two_days_later(
    world: World,
) -> None:
    issue = await world.new_case()
    world.clock.set(NOW + HOUR)
    await world.accept(issue.id or 0)
    due = await world.assign(issue.id or 0, world.member)
    assert due == NOW + HOUR + dt.timedelta(days=10)  # the parking category's ten days
    assert await world.plan(due - dt.timedelta(minutes=1)) == 0
    assert await world.plan(due + HOUR) == 1
    assert await world.plan(due + HOUR) == 0
    assert await world.chats("issue-overdue") == [MEMBER_CHAT]
    [overdue] = await outbox(world.db, "issue-overdue")
    assert "assigned to you, was due on" in message_of(overdue).text
    assert await world.plan(due + 2 * DAY - dt.timedelta(minutes=1)) == 0
    assert await world.plan(due + 2 * DAY + dt.timedelta(minutes=1)) == len(STAFF_OF_CASE)
    assert await world.plan(due + 5 * DAY) == 0
    assert await world.chats("issue-overdue-staff") == STAFF_OF_CASE
    [told, *_] = await outbox(world.db, "issue-overdue-staff")
    assert "still unanswered by its assignee" in message_of(told).text
    assert await world.chats("issue-overdue") == [MEMBER_CHAT]  # the member only once


# --- (c) a department past the due date -------------------------------------------------------


async def test_a_department_past_the_due_date_reminds_each_of_its_handlers(world: World) -> None:
    issue = await world.new_case()
    due = await world.assign(issue.id or 0, world.department, due_at=NOW + 3 * DAY)
    assert due == NOW + 3 * DAY  # the date staff chose, not the category's
    assert await world.plan(due + HOUR) == len(HANDLER_CHATS)
    assert await world.plan(due + HOUR) == 0
    # Every linked handler of this department; no member, no other department's handler.
    assert await world.chats("issue-overdue") == HANDLER_CHATS
    assert await world.plan(due + 2 * DAY + HOUR) == len(STAFF_OF_CASE)
    assert await world.chats("issue-overdue-staff") == STAFF_OF_CASE


# --- (d) asking the resident to rate an answer ------------------------------------------------


async def test_an_answer_is_followed_by_rating_requests_at_three_and_seven_days(
    world: World,
) -> None:
    issue = await world.new_case()
    await world.assign(issue.id or 0, world.member)
    first = NOW + DAY
    world.clock.set(first)
    await world.reply(issue.id or 0)
    for days, expected in ((2, 0), (3, 1), (3, 0), (6, 0), (7, 1), (7, 0), (10, 0), (20, 0)):
        assert await world.plan(first + days * DAY) == expected, days
    # A second answer long after: the requests start again, counted from it.
    second = first + 25 * DAY
    world.clock.set(second)
    await world.reply(issue.id or 0, "We checked again: the lamp works at night too.")
    for days, expected in ((2, 0), (3, 1), (3, 0), (7, 1), (7, 0), (30, 0)):
        assert await world.plan(second + days * DAY) == expected, days
    rows = await outbox(world.db, "issue-rate")
    assert [row.dedupe_key for row in rows] == [
        f"issue:{issue.id}:rate-3d:{int(first.timestamp())}",
        f"issue:{issue.id}:rate-7d:{int(first.timestamp())}",
        f"issue:{issue.id}:rate-3d:{int(second.timestamp())}",
        f"issue:{issue.id}:rate-7d:{int(second.timestamp())}",
    ]
    assert await world.chats("issue-rate") == [RESIDENT_CHAT] * 4
    assert "Was the answer helpful?" in message_of(rows[0]).text


async def test_a_new_answer_before_the_seventh_day_restarts_the_count_from_it(
    world: World,
) -> None:
    issue = await world.new_case()
    await world.assign(issue.id or 0, world.member)
    first = NOW + DAY
    world.clock.set(first)
    await world.reply(issue.id or 0)
    assert await world.plan(first + 3 * DAY) == 1
    second = first + 5 * DAY
    world.clock.set(second)
    await world.reply(issue.id or 0, "Also fixed the lamp at gate 4.")
    # The first answer's seven-day request is superseded by the new answer's own three days.
    assert await world.plan(first + 7 * DAY) == 0
    assert await world.plan(second + 3 * DAY) == 1
    assert await world.plan(second + 7 * DAY) == 1
    assert [row.dedupe_key for row in await outbox(world.db, "issue-rate")] == [
        f"issue:{issue.id}:rate-3d:{int(first.timestamp())}",
        f"issue:{issue.id}:rate-3d:{int(second.timestamp())}",
        f"issue:{issue.id}:rate-7d:{int(second.timestamp())}",
    ]


async def test_a_rated_answer_is_not_asked_about_again(world: World) -> None:
    issue = await world.new_case()
    await world.assign(issue.id or 0, world.member)
    answered = NOW + DAY
    world.clock.set(answered)
    await world.reply(issue.id or 0)
    world.clock.set(answered + 2 * DAY)
    await world.rate(issue.id or 0, 4, True)
    assert (await reload(world.db, issue.id or 0)).status == IssueStatus.RESOLVED
    for days in (3, 7, 10):
        assert await world.plan(answered + days * DAY) == 0, days
    assert await outbox(world.db, "issue-rate") == []


# --- (e) more time granted --------------------------------------------------------------------


async def test_granted_time_moves_the_due_date_the_reminders_count_from(world: World) -> None:
    issue = await world.new_case()
    due = await world.assign(issue.id or 0, world.member)
    world.clock.set(due - 2 * DAY)
    await world.extend(issue.id or 0, 7)
    new_due = due + 7 * DAY
    assert (await reload(world.db, issue.id or 0)).due_at == new_due
    # The old date, and two days after it, pass in silence.
    for moment in (due + HOUR, due + 2 * DAY + HOUR, new_due - HOUR):
        assert await world.plan(moment) == 0, moment
    assert await world.plan(new_due + HOUR) == 1
    assert await world.plan(new_due + 2 * DAY + HOUR) == len(STAFF_OF_CASE)
    stamp = int(new_due.timestamp())
    [overdue] = await outbox(world.db, "issue-overdue")
    assert overdue.chat_id == MEMBER_CHAT and f":overdue:{stamp}:" in overdue.dedupe_key


async def test_time_granted_after_the_reminder_stops_the_staff_reminder(world: World) -> None:
    issue = await world.new_case()
    due = await world.assign(issue.id or 0, world.member)
    assert await world.plan(due + HOUR) == 1  # the member is reminded, asks for five days
    world.clock.set(due + 2 * HOUR)
    await world.extend(issue.id or 0, 5)
    new_due = due + 2 * HOUR + 5 * DAY  # counted from the grant, the old date having passed
    assert (await reload(world.db, issue.id or 0)).due_at == new_due
    assert await world.plan(due + 2 * DAY + HOUR) == 0  # staff are not told of the old date
    assert await world.plan(new_due + HOUR) == 1  # the member, about the new one
    assert await world.chats("issue-overdue") == [MEMBER_CHAT, MEMBER_CHAT]
    assert await outbox(world.db, "issue-overdue-staff") == []


# --- (f) back in staff's hands without an assignee ---------------------------------------------


async def test_a_case_handed_back_is_brought_to_staff_a_day_later(world: World) -> None:
    issue = await world.new_case()
    world.clock.set(NOW + HOUR)
    await world.assign(issue.id or 0, world.member)
    assert await world.plan(NOW + DAY) == 0  # held in time: no reminder the first day
    handed_back = NOW + 3 * DAY
    world.clock.set(handed_back)
    await world.hand_back(issue.id or 0)
    # Staff heard of the hand-back itself; the reminder is for a day without an assignee.
    counts = (
        await world.plan(handed_back + HOUR),
        await world.plan(handed_back + DAY),
        await world.plan(handed_back + DAY),
    )
    assert counts == (0, len(STAFF_OF_CASE), 0)
    assert await world.chats("issue-unassigned") == STAFF_OF_CASE


async def test_a_case_handed_back_after_an_earlier_reminder_is_brought_to_staff_again(
    world: World,
) -> None:
    issue = await world.new_case()
    assert await world.plan(NOW + DAY) == len(STAFF_OF_CASE)  # the first day without anyone
    world.clock.set(NOW + 2 * DAY)
    await world.assign(issue.id or 0, world.member)
    handed_back = NOW + 4 * DAY
    world.clock.set(handed_back)
    await world.hand_back(issue.id or 0)
    assert await world.plan(handed_back + DAY) == len(STAFF_OF_CASE)
    assert await world.chats("issue-unassigned") == sorted(STAFF_OF_CASE * 2)


async def test_a_reopened_case_without_an_assignee_is_brought_to_staff_a_day_later(
    world: World,
) -> None:
    issue = await world.new_case()
    world.clock.set(NOW + HOUR)
    await world.accept(issue.id or 0)
    async with world.db.session() as session:
        # Answered straight from the office: the case never had an assignee.
        await case_answers.staff_reply(
            session,
            issue_id=issue.id or 0,
            text="The street office will look at it.",
            scope=world.admin.scope,
            actor=world.admin.actor,
            now=world.clock.now(),
            notifier=notifier(),
        )
    reopened = NOW + 2 * DAY
    world.clock.set(reopened)
    await world.rate(issue.id or 0, 1, False)
    stored = await reload(world.db, issue.id or 0)
    assert (stored.status, stored.assignee_member_id, stored.assignee_department_id) == (
        IssueStatus.REOPENED,
        None,
        None,
    )
    assert await world.plan(reopened + DAY) == len(STAFF_OF_CASE)
    assert await world.chats("issue-unassigned") == STAFF_OF_CASE
