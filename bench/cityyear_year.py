"""The simulated period, played against running workers on the shared compressed clock.

Each case is one task (its life: report, triage, the assignee's part, the answer, the rating,
a reopening), started shortly before its moment by a feeder, so a year's 100,000 cases are
never all in memory as tasks at once. Members have one task a quarter, each meeting one task
and one per invited member. A step that times out (the app did not answer within the
deadline) ends that life and is counted by step, with a few samples, in ``failures``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench import cityyear_desk as desk
from bench import cityyear_members as members
from bench import cityyear_residents as residents
from bench.cityyear_app import Calendar
from bench.cityyear_platform import CityFake, TelegramUser
from bench.cityyear_scenario import ADMIN_CHAT, LOCAL, SECTORS, Case, Meeting, Scenario

log = logging.getLogger("bench.cityyear")
FEED_AHEAD = 2.0
CHECKIN_CODE = re.compile(r"check-in code (\d{6})")
# The office sets a meeting up this long before it starts.
SET_UP_AHEAD = dt.timedelta(days=21)


def invitation(scenario: Scenario, meeting: Meeting) -> tuple[list[int], list[str]]:
    """The members a meeting invites and the ``--invite`` option that says so."""
    if meeting.kind == "plenary":
        return list(range(len(scenario.members))), ["--invite", "all"]
    sector = SECTORS[meeting.index % len(SECTORS)]
    chosen = [i for i, m in enumerate(scenario.members) if m.sector == sector]
    return chosen, ["--invite", f"sector:{sector}"]


def set_up_before(scenario: Scenario) -> list[Meeting]:
    """Meetings the office sets up before the period starts (on the set-up clock)."""
    return [m for m in scenario.meetings if m.start - SET_UP_AHEAD <= scenario.start]


@dataclass
class Tallies:
    """What the simulated people did and what failed, by kind."""

    done: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    numbers: dict[int, str] = field(default_factory=dict)

    def failed(self, step: str, error: BaseException) -> None:
        """Count a failed step and keep a few examples."""
        self.failures[step] += 1
        log.warning("%s failed: %s: %s", step, type(error).__name__, str(error)[:1500])
        if self.failures[step] <= 2:
            self.samples.append(f"{step}: {type(error).__name__}: {str(error)[:300]}")


@dataclass
class Year:
    """Plays a scenario against the app; ``run`` returns when every life has ended."""

    fake: CityFake
    scenario: Scenario
    calendar: Calendar
    add_meeting: Callable[[Meeting, list[str]], Awaitable[str]]
    faults: list[tuple[dt.datetime, Callable[[], Awaitable[dict[str, Any]]]]]
    tallies: Tallies = field(default_factory=Tallies)
    fault_reports: list[dict[str, Any]] = field(default_factory=list)
    # What ``liaison meetings add`` printed for the meetings set up before the period.
    set_up: dict[int, str] = field(default_factory=dict)

    async def at(self, moment: dt.datetime) -> None:
        """Sleep until the bot's clock reads ``moment``."""
        delay = self.calendar.wall_time_of(moment)
        if delay > 0:
            await asyncio.sleep(delay)

    def until_end(self) -> float:
        """Real seconds left until the end of the period (a notice's wait is bounded by it)."""
        return max(1.0, self.calendar.wall_time_of(self.scenario.end))

    async def step(self, name: str, work: Awaitable[Any]) -> Any:
        """Run one step; a failure is counted and ends the caller's life (re-raised)."""
        try:
            result = await work
        except Exception as error:
            self.tallies.failed(name, error)
            raise
        self.tallies.done[name] += 1
        return result

    async def run(self) -> None:
        """Every case, quarter, meeting and fault of the scenario, until all have ended."""
        lives: list[asyncio.Task[None]] = []
        lives += [asyncio.create_task(self.quarter(q)) for q in self.quarters()]
        lives += [asyncio.create_task(self.meeting(m)) for m in self.scenario.meetings]
        lives += [
            asyncio.create_task(self.broadcast(index, moment))
            for index, moment in enumerate(self.scenario.broadcasts)
        ]
        lives += [asyncio.create_task(self.fault(moment, f)) for moment, f in self.faults]
        lives.append(asyncio.create_task(self.progress()))
        cases: list[asyncio.Task[None]] = []
        for case in self.scenario.cases:
            delay = self.calendar.wall_time_of(case.at) - FEED_AHEAD
            if delay > 0:
                await asyncio.sleep(delay)
            cases.append(asyncio.create_task(self.case_life(case)))
        await self.at(self.scenario.end)
        for life in [*cases, *lives]:
            if not life.done():
                life.cancel()
        outcomes = await asyncio.gather(*cases, *lives, return_exceptions=True)
        cancelled = sum(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes[:-1])
        self.tallies.done["lives-unfinished-at-end"] = cancelled

    async def progress(self) -> None:
        """A line on stderr every ten seconds."""
        started = time.monotonic()
        while True:
            await asyncio.sleep(10)
            now = self.calendar.now().astimezone(LOCAL)
            log.info(
                "%4.0fs bot %s  %s  failures %s",
                time.monotonic() - started,
                now.strftime("%m-%d %H:%M"),
                dict(self.tallies.done.most_common(6)),
                sum(self.tallies.failures.values()),
            )

    async def fault(
        self, moment: dt.datetime, inject: Callable[[], Awaitable[dict[str, Any]]]
    ) -> None:
        """Inject one fault at its moment."""
        await self.at(moment)
        report = await inject()
        report["at"] = self.calendar.now().astimezone(LOCAL).isoformat(timespec="minutes")
        self.fault_reports.append(report)

    # --- cases ----------------------------------------------------------------------------------

    async def case_life(self, case: Case) -> None:
        """One case from the report to its last rating."""
        fake, scenario = self.fake, self.scenario
        await self.at(case.at)
        number, offered = await self.step("report", residents.report(fake, case))
        self.tallies.numbers[case.index] = number
        if offered:
            self.tallies.done["me-too-offered"] += 1
        await self.at(case.at + case.triage_delay)
        staff = desk.staff_chat(fake, scenario.staff_chats, case)
        route = await self.step("triage", desk.assign(fake, staff, number, case, scenario.members))
        if route != "office":
            await self.assignee_part(case, number, route, staff)
        await self.answered_and_rated(case, number, staff)

    def assignee(self, case: Case, route: str) -> TelegramUser:
        """Who holds the case: one of its department's handlers, or the member."""
        if route == "member":
            return members.member_chat(self.fake, self.scenario.members[case.assignee_member])
        code = list(self.scenario.department_chats)[case.department]
        chats = self.scenario.department_chats[code]
        return TelegramUser(self.fake, chats[case.index % len(chats)], first_name="Handler")

    async def assignee_part(self, case: Case, number: str, route: str, staff: TelegramUser) -> None:
        """What the assignee does, as the scenario says."""
        person = self.assignee(case, route)
        assigned = self.calendar.now()
        behaviour = case.behaviour
        if behaviour == "hand-back":
            await self.at(assigned + dt.timedelta(hours=6))
            await self.step("hand-back", desk.hand_back(self.fake, person, number))
            await self.step("reassign", desk.assign_to_department(self.fake, staff, number, case))
            person = self.assignee(case, "department")
            behaviour, assigned = "on-time", self.calendar.now()
        if behaviour == "more-time":
            await self.at(assigned + dt.timedelta(days=2))
            await self.step("more-time", desk.ask_more_time(self.fake, person, number))
            granted = desk.grant_more_time(self.fake, staff, number, self.until_end())
            await self.step("grant", granted)
            await self.at(assigned + dt.timedelta(days=12))
        elif behaviour == "after-reminder":
            reminded = person.wait_notice(
                number, "Open the case", "has no answer yet", self.until_end()
            )
            await self.step("overdue-reminder-seen", reminded)
        else:
            await self.at(assigned + case.answer_delay)
        await self.step("assignee-answer", desk.assignee_reply(self.fake, person, number))

    async def answered_and_rated(self, case: Case, number: str, staff: TelegramUser) -> None:
        """The resident reads the answer, and some rate it; a reopening is answered again."""
        seen = residents.wait_for_answer(self.fake, case, number, self.until_end())
        await self.step("answer-seen", seen)
        if case.rating is None:
            return
        await self.at(self.calendar.now() + dt.timedelta(hours=8))
        reopened = await self.step("rating", residents.rate(self.fake, case, number))
        if reopened:
            await self.at(self.calendar.now() + dt.timedelta(hours=4))
            await self.step("reopen-answer", desk.answer_reopened(self.fake, staff, number))

    # --- members ------------------------------------------------------------------------------

    def quarters(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """The quarters (or the part of one) inside the scenario."""
        found, start = [], self.scenario.start
        while start < self.scenario.end:
            month = (start.month - 1) // 3 * 3 + 1
            begin = start.replace(month=month, day=1)
            end = begin.replace(year=begin.year + (month == 10), month=(month + 2) % 12 + 1)
            found.append((start, min(end, self.scenario.end)))
            start = end
        return found

    async def quarter(self, span: tuple[dt.datetime, dt.datetime]) -> None:
        """Every member's quarter."""
        await asyncio.gather(
            *(self.member_quarter(index, span) for index in range(len(self.scenario.members))),
            return_exceptions=True,
        )

    async def member_quarter(self, index: int, span: tuple[dt.datetime, dt.datetime]) -> None:
        """One member's activities in one quarter."""
        member = self.scenario.members[index]
        rng = random.Random(f"{self.scenario.seed}:{index}:{span[0].isoformat()}")
        people = rng.randint(3, 25)
        if member.diligence == "prompt":
            days = max(1.0, (span[1] - span[0]).total_seconds() / 86400 - 16)
            await self.at(span[0] + dt.timedelta(days=rng.uniform(0.5, days), hours=0))
            await self.step(
                "activity", members.log_activity(self.fake, member, self.calendar, people)
            )
        elif member.diligence == "reminded":
            timeout = min(self.calendar.wall_time_of(span[1]), self.until_end())
            if await members.wait_minimum_reminder(self.fake, member, max(timeout, 1)):
                await self.step(
                    "activity-after-reminder",
                    members.log_activity(self.fake, member, self.calendar, people),
                )

    async def broadcast(self, index: int, moment: dt.datetime) -> None:
        """The office's notice to every member, through the broadcast dialog."""
        await self.at(moment)
        text = f"Notice {index + 1} of the office to all members (seed {self.scenario.seed})."
        await self.step("broadcast", desk.broadcast(self.fake, ADMIN_CHAT, text))

    # --- meetings ----------------------------------------------------------------------------

    async def meeting(self, meeting: Meeting) -> None:
        """Set up (three weeks ahead, with the CLI), answered, and checked in to.

        A meeting due to be set up before the period was set up with the operator's commands:
        at the compressed clock's speed a command started at the period's first moment could
        finish after the meeting began.
        """
        chosen, option = invitation(self.scenario, meeting)
        if meeting.index in self.set_up:
            output = self.set_up[meeting.index]
            self.tallies.done["meeting-set-up"] += 1
        else:
            await self.at(meeting.start - SET_UP_AHEAD)
            output = await self.step("meeting-set-up", self.add_meeting(meeting, option))
        match = CHECKIN_CODE.search(output)
        code = match.group(1) if match else ""
        await asyncio.gather(
            *(self.invitee(meeting, index, code) for index in chosen), return_exceptions=True
        )

    async def invitee(self, meeting: Meeting, index: int, code: str) -> None:
        """One invited member: answer, and check in when attending."""
        member = self.scenario.members[index]
        plan = members.answer_plan(random.Random(f"{self.scenario.seed}:m{meeting.index}:{index}"))
        if plan == "nudged":
            await self.at(meeting.start - dt.timedelta(days=1, hours=-1))
        attend = plan != "leave"
        target = "rsvp-attend" if attend else "rsvp-leave"
        await self.step(target, members.answer_invitation(self.fake, member, meeting.title, attend))
        if attend and code:
            await self.at(meeting.start - dt.timedelta(minutes=50))
            await self.step("checkin", members.check_in(self.fake, member, code))
