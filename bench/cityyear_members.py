"""Members: log their liaison activities, answer meeting invitations, check in at the venue.

A prompt member logs one activity on a day of each quarter drawn from the seed, with the
``/log`` shortcut and its review (✅ Save); a reminded one waits for the "days are left"
minimum reminder and logs then; a member who never logs ignores it. Invitations are answered
from the invitation's own buttons (attend, or ask for leave with a reason) when it arrives, or
only when the nudge comes; those attending send ``/checkin <code>`` once the meeting starts.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from bench.cityyear_app import Calendar
from bench.cityyear_platform import CityFake, TelegramUser
from bench.cityyear_scenario import LOCAL, Member

SAVED = re.compile(r"Saved\. This quarter|Activity saved")
MINIMUM_REMINDER = re.compile(r"days are left in \d{4} Q\d")
INVITATION = "Invitation"
LEAVE_SENT = re.compile(r"leave request was sent")
CHECKED = re.compile(r"[Cc]heck")


def member_chat(fake: CityFake, member: Member) -> TelegramUser:
    """The member in their own Telegram chat."""
    return TelegramUser(fake, member.chat_id, first_name="Member", language_code="en")


async def log_activity(fake: CityFake, member: Member, calendar: Calendar, people: int) -> None:
    """``/log <today> <people> <summary>``, then save it from the review."""
    person = member_chat(fake, member)
    today = (calendar.now() - dt.timedelta(hours=1)).astimezone(LOCAL).date()
    async with fake.lock(person.chat_id):
        person.send(f"/log {today.isoformat()} {people} forum with residents on the street repairs")
        await person.press("Save")
        await person.wait_text(SAVED)


async def wait_minimum_reminder(fake: CityFake, member: Member, timeout: float) -> bool:
    """Wait for the quarter's minimum reminder; False when none came in time."""
    person = member_chat(fake, member)
    person.seen = fake.mark(person.chat_id)
    try:
        await person.wait_text(MINIMUM_REMINDER, timeout, answer_expected=False)
    except TimeoutError:
        return False
    return True


def answer_plan(rng: random.Random) -> str:
    """How a member answers an invitation: at once (attend or leave) or after the nudge."""
    return rng.choices(("attend", "leave", "nudged"), (72, 8, 20))[0]


async def answer_invitation(fake: CityFake, member: Member, title: str, attend: bool) -> None:
    """Answer from the newest message about the meeting that carries the answer buttons."""
    person = member_chat(fake, member)
    async with fake.lock(person.chat_id):
        label = "I will attend" if attend else "Ask for leave"
        data, message_id = await person.wait_notice(title, label)
        person.press_data(data, message_id)
        if attend:
            await person.wait_reply()
            return
        await person.wait_text(re.compile(r"[Rr]eason|[Ww]hy"))
        person.send("I am abroad for a family matter that week.")
        await person.wait_text(LEAVE_SENT)


async def check_in(fake: CityFake, member: Member, code: str) -> None:
    """``/checkin <code>`` at the venue."""
    person = member_chat(fake, member)
    async with fake.lock(person.chat_id):
        person.send(f"/checkin {code}")
        await person.wait_reply()
